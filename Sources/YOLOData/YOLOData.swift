// YOLOData: image decoding/encoding (ImageIO), letterbox with an OpenCV-exact bilinear resize, and the
// conversion of a letterboxed image to the network's input tensor.
//
// Files: Image.swift (Image, ChannelOrder, ImageError), ImageIO.swift (dispatch, JPEG, EXIF, BMP),
// PNGCodec.swift (libpng), Letterbox.swift (letterbox, resizeBilinear), Image+Tensor.swift.
