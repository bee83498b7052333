// `import YOLOPose` is all a user needs: the model, data, engine and training modules come with it.
@_exported import YOLOData
@_exported import YOLOEngine
@_exported import YOLOExport
@_exported import YOLOFormats
@_exported import YOLOModel
@_exported import YOLONN
@_exported import YOLOONNX
@_exported import YOLOTensor
@_exported import YOLOTrain
