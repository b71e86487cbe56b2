/** The start of an image data URL, as the front end's canvas exports it (`data:image/png;base64,`). */
export const IMAGE_DATA_URL = /^data:image\/[\w.+-]+;base64,/;
