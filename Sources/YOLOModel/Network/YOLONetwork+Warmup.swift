import YOLONN
import YOLOTensor

extension YOLONetwork {
    /// Does the shape-independent one-time work of inference before the first image, where Ultralytics' predictor
    /// warms its model up at `imgsz`: the planning pass (every convolution's geometry, at a stride-sized input) and,
    /// for the layers our own kernels serve (Winograd, float32 and bf16 1×1: no code to generate), the primitive at
    /// `batch`×`height`×`width` and the prepared weights, which every later shape shares (Winograd) or copies.
    /// Primitives that oneDNN generates code for are left to the first image, whose shape is not known yet (they are
    /// created several at a time before its forward), so nothing is made that no image may use.
    ///
    /// Measured on yolov8n-pose at 480×640 (2-core Zen 4 VM, float32): weight preparation took 13–15 ms of the
    /// first image's 51–75 ms (~27 ms steady).
    ///
    /// Does nothing after the network has run an inference or warmed up (its plan stands), while training, or when
    /// the sides are not positive multiples of the largest stride.
    public func warmup(batch: Int = 1, height: Int, width: Int) {
        let maxStride = Int(stride.max() ?? 32)
        guard lastInputShape == nil, !isTraining, batch > 0, height > 0, width > 0,
              height % maxStride == 0, width % maxStride == 0 else { return }
        withNoGrad {
            let planned = planPrimitives(batch: batch)
            ConvCache.prewarm(convCaches, from: planned, to: [batch, height, width], codeFreeOnly: true)
            for conv in convolutions { conv.cache.prepareAll(weight: conv.weight) }
        }
    }
}
