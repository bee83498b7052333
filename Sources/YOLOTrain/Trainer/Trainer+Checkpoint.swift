import Foundation
// TEMPORARY (not committed): placeholders until the checkpoint writer lands.
extension Trainer {
    func saveCheckpoint(epoch: Int) throws {}
    func stripCheckpoint(_ url: URL, trainResults: [(String, [Double])]) throws {}
    func recoverFromLast() throws {}
}
