import Foundation
import YOLOData
import YOLOEngine
import YOLOModel

extension Trainer {
    /// Global batch indices whose batch is drawn to `train_batch{ni}.jpg`: the first three, and the first three
    /// after mosaic closes (spec §2.17).
    func trainPlotIndices(batches nb: Int) -> Set<Int> {
        var s: Set<Int> = [0, 1, 2]
        let close = args.int("close_mosaic") ?? 10
        if close > 0 { let b = (epochs - close) * nb; s.formUnion([b, b + 1, b + 2]) }
        return s
    }

    /// Draws a training batch with its labels (as the reference, in the background).
    func plotTrainBatch(_ batch: TrainBatch, ni: Int) {
        let names = data.names, dir = saveDir
        let vb = ValBatch(images: batch.samples.map(\.networkImage), files: batch.samples.map(\.file),
                          indices: Array(batch.samples.indices), origShapes: batch.samples.map(\.origShape),
                          loadedShapes: batch.samples.map(\.resizedShape), shape: batch.shape,
                          ratioPads: batch.samples.map { (gain: $0.ratioPad, pad: (left: 0, top: 0)) },
                          labels: batch.labels)
        plotQueue.async(group: plotGroup) {
            do {
                let img = BatchMosaic.render(batch: vb, names: names, font: try FontRenderer.shared())
                try ImageIO.writeJPEG(img, to: dir.appendingPathComponent("train_batch\(ni).jpg"))
            } catch {
                Log.warning("train_batch\(ni).jpg not written: \(error)")
            }
        }
    }

    /// Writes labels.jpg for the training labels.
    func plotTrainingLabels() {
        log("Plotting labels to \(saveDir.appendingPathComponent("labels.jpg").path)... ")
        do { try LabelsPlot.write(labels: trainLoader.scan.images.map(\.labels), names: data.names,
                                  to: saveDir.appendingPathComponent("labels.jpg")) }
        catch { Log.warning("labels.jpg not written: \(error)") }
    }
}
