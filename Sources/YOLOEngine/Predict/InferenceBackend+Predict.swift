import YOLOData
import YOLOModel
import YOLOTensor

extension InferenceBackend {
    /// Ultralytics-style `model.predict(source, conf: …)`: predicts every image and video frame of `source`
    /// (file, directory, glob, list file) and returns the results in order. For long videos prefer
    /// `Predictor.run(source:onResult:)`, which streams.
    public func predict(_ source: String, conf: Float = 0.25, iou: Float = 0.7, imgsz: [Int]? = nil,
                        maxDet: Int = 300, classes: [Int]? = nil, agnosticNMS: Bool = false,
                        save: Bool = false, saveTxt: Bool = false, saveConf: Bool = false, saveCrop: Bool = false,
                        project: String? = nil, name: String? = nil, existOk: Bool = false,
                        verbose: Bool = false, quantize: Int? = nil) throws -> [Results] {
        var o = PredictOptions()
        o.precision = ConvPrecision(quantize: quantize)
        o.conf = conf
        o.iou = iou
        o.imgsz = imgsz
        o.maxDet = maxDet
        o.classes = classes
        o.agnosticNMS = agnosticNMS
        o.save = save
        o.saveTxt = saveTxt
        o.saveConf = saveConf
        o.saveCrop = saveCrop
        o.project = project
        o.name = name
        o.existOk = existOk
        o.verbose = verbose
        var all: [Results] = []
        try Predictor(backend: self, options: o).run(source: source) { all.append($0) }
        return all
    }
}

extension YOLONetwork {
    /// Predicts one decoded image (BGR or RGB `Image`) with default options, or the given ones.
    /// - Throws: `PredictError` for options that cannot run (an `imgsz` above `Predictor.maxImgsz`).
    public func predict(_ image: Image, options: PredictOptions = PredictOptions()) throws -> Results {
        try Predictor(model: self, options: options).predict(image)
    }
}
