import Foundation

/// The training augmentation settings (the reference's hyperparameters of the same names and defaults).
///
/// Not reproduced: Albumentations (Blur, MedianBlur, ToGray, CLAHE at p = 0.01), which the reference applies only when
/// the `albumentations` package is installed — it is not in the reference environment, so its pipeline skips them
/// too. `copyPaste` is accepted but changes nothing for pose labels: they have no polygon segments, so the
/// reference's CopyPaste returns at once (no draws either).
public struct AugmentConfig: Sendable, Equatable {
    public var mosaic: Double = 1.0
    public var mixup: Double = 0.0
    public var cutmix: Double = 0.0
    public var copyPaste: Double = 0.0
    public var degrees: Double = 0.0
    public var translate: Double = 0.1
    public var scale: Double = 0.5
    /// An absolute [min, max] scale range (a 2-list `scale` in the reference), overriding `scale`.
    public var scaleRange: [Double]? = nil
    public var shear: Double = 0.0
    public var perspective: Double = 0.0
    public var hsvH: Double = 0.015
    public var hsvS: Double = 0.7
    public var hsvV: Double = 0.4
    public var flipud: Double = 0.0
    public var fliplr: Double = 0.5
    public var bgr: Double = 0.0

    public init() {}

    /// Settings read from training arguments by name (`mosaic`, `hsv_h`, …); missing ones keep their defaults.
    public init(lookup: (String) -> Double?) {
        func v(_ k: String, _ d: Double) -> Double { lookup(k) ?? d }
        mosaic = v("mosaic", mosaic); mixup = v("mixup", mixup); cutmix = v("cutmix", cutmix)
        copyPaste = v("copy_paste", copyPaste)
        degrees = v("degrees", degrees); translate = v("translate", translate); scale = v("scale", scale)
        shear = v("shear", shear); perspective = v("perspective", perspective)
        hsvH = v("hsv_h", hsvH); hsvS = v("hsv_s", hsvS); hsvV = v("hsv_v", hsvV)
        flipud = v("flipud", flipud); fliplr = v("fliplr", fliplr); bgr = v("bgr", bgr)
    }

    /// After `close_mosaic`: mosaic, mixup, cutmix and copy_paste off; the rest unchanged.
    public var closingMosaic: AugmentConfig {
        var c = self
        c.mosaic = 0; c.mixup = 0; c.cutmix = 0; c.copyPaste = 0
        return c
    }

    /// Checks ranges the reference asserts (probabilities in [0, 1]).
    public func validate() throws {
        for (k, p) in [("mosaic", mosaic), ("mixup", mixup), ("cutmix", cutmix), ("copy_paste", copyPaste),
                       ("flipud", flipud), ("fliplr", fliplr), ("bgr", bgr)] where !(0...1).contains(p) {
            throw AugmentError.invalid("\(k)=\(p) must be a probability in [0, 1]")
        }
        if let r = scaleRange, r.count != 2 {
            throw AugmentError.invalid("scale=\(r) must be a number or a [min, max] pair")
        }
    }
}
