import Foundation
import YOLOFormats

/// The entries of a TorchScript archive (what `torch.jit.load` reads), relative to the archive's root folder:
///
/// * `extra/<name>` — extra files (`extra/config.txt` holds the metadata JSON);
/// * `data/<key>` + `data.pkl` — the module object graph, pickled (protocol 2) as `__torch__.…` class instances
///   whose state dicts hold parameters, `training`, `_is_full_backward_hook` and submodules; tensors are storages;
/// * `code/__torch__/…/*.py` — the classes' TorchScript source, compiled by torch at load time;
/// * `constants/<key>` + `constants.pkl` — the tuple of tensors that code refers to as `CONSTANTS.c<i>`;
/// * `byteorder`, `version` (the file-format version its operators need) and `.data/serialization_id`.
///
/// No `.debug_pkl` source-range files and no `traced_inputs`: torch treats both as optional.
public struct TorchScriptArchive {
    /// Records in write order; `version` and `.data/serialization_id` are added by the zip writer.
    public var records: [(name: String, payload: Data)]
    /// The `version` record.
    public var version: Int

    /// File-format version 4: the first in which `aten::div` has true-division semantics (the head divides), and
    /// below every later operator upgrader's bump (`full` 5, `linspace` 8, `logspace` 9, `gelu` 10), none of
    /// which the generated code uses.
    public static let fileFormatVersion = 4

    /// Assembles the records from the root module, the constant table, the class sources and the extra files.
    init(root: TorchScriptObject, constants: [StoredTensor], code: [(path: String, source: String)],
         extraFiles: [(name: String, payload: Data)]) {
        var records: [(name: String, payload: Data)] = extraFiles.map { ("extra/\($0.name)", $0.payload) }
        let (data, storages) = PickleWriter.encode(root.pickleTerm)
        records += storages.map { ("data/\($0.key)", $0.tensor.bytes) }
        records.append(("data.pkl", data))
        records += code.map { ($0.path, Data($0.source.utf8)) }
        let (table, constantStorages) = PickleWriter.encode(.tuple(constants.map { .tensor($0) }))
        records += constantStorages.map { ("constants/\($0.key)", $0.tensor.bytes) }
        records.append(("constants.pkl", table))
        records.append(("byteorder", Data("little".utf8)))
        self.records = records
        self.version = Self.fileFormatVersion
    }

    /// Writes the zip (stored entries, 64-byte aligned payloads) under `archiveName/`.
    public func write(to sink: ByteSink, archiveName: String, fileName: String) throws {
        let zip = TorchZipWriter(sink: sink, archiveName: archiveName, fileName: fileName)
        for (name, payload) in records { try zip.addRecord(name, payload) }
        try zip.finish(version: "\(version)\n")
    }

    /// The archive as bytes.
    public func encoded(archiveName: String) throws -> Data {
        let sink = DataSink()
        try write(to: sink, archiveName: archiveName, fileName: "<memory>")
        return sink.data
    }
}
