/// The reference's early stopper (spec train-and-val §2.13): remembers the best fitness and its (1-based) epoch;
/// stops once `patience` epochs pass without improvement. Patience 0 disables it.
public struct EarlyStopping: Sendable {
    public var bestFitness: Double = 0
    public var bestEpoch: Int = 0
    public let patience: Int
    /// True when the next epoch may stop (the trainer then validates even with `val=False`).
    public private(set) var possibleStop = false

    public init(patience: Int) { self.patience = patience }

    /// Records epoch `epoch` (1-based) with `fitness` (nil when not validated); returns whether to stop.
    public mutating func update(epoch: Int, fitness: Double?) -> Bool {
        guard let fitness else { return false }
        if fitness > bestFitness || bestFitness == 0 {
            bestEpoch = epoch
            bestFitness = fitness
        }
        guard patience > 0 else { possibleStop = false; return false }
        let delta = epoch - bestEpoch
        possibleStop = delta >= patience - 1
        return delta >= patience
    }
}
