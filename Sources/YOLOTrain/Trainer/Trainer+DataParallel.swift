import Foundation
import YOLOData
import YOLODistributed
import YOLOEngine
import YOLOModel
import YOLONN
import YOLOTensor

/// What rank 0 decides at the end of an epoch and every rank follows.
struct EpochDecision {
    var stop: Bool
    var recover: Bool
    var epochs: Int
}

extension Trainer {
    /// Ranks training together: the processes of the communicator, or the simulated ranks of one process.
    var worldSize: Int { max(communicator.size, simulatedRanks) }

    /// The reference's checks for multi-device training: no AutoBatch, no rect (warned and turned off).
    func checkDataParallelArguments() throws {
        guard worldSize > 1 else { return }
        if args.bool("rect") {
            Log.warning("'rect=True' is incompatible with distributed training, setting 'rect=False'")
            args["rect"] = .bool(false)
        }
        if let b = args.double("batch"), b < 1 {
            throw TrainError.invalidArgument(key: "batch", value: TrainArguments.pyStr(args["batch"]),
                                             reason: "AutoBatch with batch<1 not supported for distributed training, please specify a valid batch size multiple of the process count \(worldSize), i.e. batch=\(worldSize * 8)")
        }
    }

    /// Each rank's share of `batch` (the reference's batch // world size); at least one image per rank.
    func splitBatch() throws -> Int {
        guard worldSize > 1 else { return batchSize }
        guard batchSize >= worldSize else {
            throw TrainError.invalidArgument(key: "batch", value: String(batchSize),
                                             reason: "batch=\(batchSize) is smaller than the \(worldSize) processes; use batch ≥ \(worldSize) (a multiple of \(worldSize))")
        }
        if batchSize % worldSize != 0 {
            Log.warning("batch=\(batchSize) is not a multiple of the \(worldSize) processes; each trains on \(batchSize / worldSize) images per step")
        }
        log("Distributed training: \(worldSize) ranks × batch \(batchSize / worldSize)")
        return batchSize / worldSize
    }

    /// Rank 0's parameters and buffers on every rank (all ranks built the same architecture), so training starts
    /// from identical weights whatever each rank loaded or initialized.
    func broadcastInitialState() throws {
        guard communicator.size > 1 else { return }
        let tensors = model.stateDict().map(\.1)
        var flat = Self.flatten(tensors, counts: tensors.map(\.count))
        try communicator.broadcast(&flat, root: 0)
        Self.scatter(flat, into: tensors)
    }

    /// Sums the gradients of the trainable parameters over the ranks in one all-reduce of a flat buffer. torch DDP
    /// averages gradients of a loss the reference multiplies by the world size, which is this sum.
    func allReduceGradients() throws {
        guard communicator.size > 1 else { return }
        let params = model.allParameters().map(\.1).filter(\.requiresGrad)
        var flat = Self.flatten(params.map(\.grad), counts: params.map(\.count))
        try communicator.allReduceSum(&flat)
        let grads = params.map { p in p.grad ?? { let g = Tensor(shape: p.shape); p.grad = g; return g }() }
        Self.scatter(flat, into: grads)
    }

    /// The tensors' values one after another (zeros where a tensor is missing), `counts[i]` floats each.
    static func flatten(_ tensors: [Tensor?], counts: [Int]) -> [Float] {
        var flat = [Float](repeating: 0, count: counts.reduce(0, +))
        flat.withUnsafeMutableBufferPointer { out in
            var offset = 0
            for (t, n) in zip(tensors, counts) {
                if let t { (out.baseAddress! + offset).update(from: t.pointer, count: n) }
                offset += n
            }
        }
        return flat
    }

    /// Writes consecutive runs of `flat` back into the tensors (the inverse of `flatten`).
    static func scatter(_ flat: [Float], into tensors: [Tensor]) {
        flat.withUnsafeBufferPointer { all in
            var offset = 0
            for t in tensors {
                t.assign(UnsafeBufferPointer(rebasing: all[offset..<offset + t.count]))
                offset += t.count
            }
        }
    }

    /// The simulated ranks 1 ..< simulatedRanks of iteration `i`: each forward and backward adds its gradients to
    /// rank 0's; the batch-norm running statistics stay rank 0's (each DDP rank keeps its own).
    func runSimulatedRanks(_ streams: [TrainBatchStream], batch i: Int, ni: Int) {
        guard !streams.isEmpty else { return }
        let buffers = model.namedModules().flatMap { _, m in m.namedBuffers.map(\.1) }
        let saved = buffers.map { $0.toArray() }
        for stream in streams {
            let batch = stream.batch(i)
            if batch.samples.isEmpty { continue }
            let levels = model.forwardRaw(multiScaled(batch.images, ni: ni))
            let (total, _) = loss(levels, labels: batch.labels)
            total.backward()
        }
        for (b, values) in zip(buffers, saved) { values.withUnsafeBufferPointer { b.assign($0) } }
    }

    /// Checks after an optimizer step that every rank holds the same weights (a 64-bit hash of the parameter bits,
    /// compared with one all-reduce); a difference is a bug or a broken transport, so training stops.
    func checkReplicasAgree(step: Int) throws {
        guard communicator.size > 1 else { return }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for (_, p) in model.allParameters() {
            for i in 0..<p.count { hash = (hash ^ UInt64(p.pointer[i].bitPattern)) &* 0x100_0000_01B3 }
        }
        var values: [Int64] = [Int64(bitPattern: hash), Int64(bitPattern: ~hash)]
        try values.withUnsafeMutableBufferPointer { try communicator.allReduceMax($0) }
        guard values[0] == Int64(bitPattern: hash), values[1] == Int64(bitPattern: ~hash) else {
            throw TrainError.nonFinite("the ranks' weights differ after optimizer step \(step) (rank \(communicator.rank)); distributed training cannot continue")
        }
    }

    /// Writes this rank's parameters after optimizer step `step` when `weightsDumpDirectory` is set.
    func dumpWeights(step: Int) throws {
        guard let dir = weightsDumpDirectory else { return }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var bytes = Data()
        for (_, p) in model.allParameters() { bytes.append(UnsafeBufferPointer(p.buffer)) }
        try bytes.write(to: dir.appendingPathComponent("rank\(communicator.rank)-step\(step).f32"), options: .atomic)
    }

    /// Rank 0's end-of-epoch decision on every rank.
    func share(_ decision: EpochDecision) throws -> EpochDecision {
        guard communicator.size > 1 else { return decision }
        var values: [Int64] = [decision.stop ? 1 : 0, decision.recover ? 1 : 0, Int64(decision.epochs)]
        try communicator.broadcast(&values, root: 0)
        return EpochDecision(stop: values[0] != 0, recover: values[1] != 0, epochs: Int(values[2]))
    }
}
