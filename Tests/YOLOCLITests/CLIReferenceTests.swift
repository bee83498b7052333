import Foundation
import XCTest
import YOLOEngine
import YOLOTestSupport
@testable import YOLOCLI

/// Compares value typing and key suggestions with outputs captured from the reference
/// (Tests/Fixtures/cli/reference.json, made by Scripts/reference/make_cli_fixtures.py).
final class CLIReferenceTests: XCTestCase {
    struct Reference: Decodable {
        struct Value: Decodable { let type: String; let repr: String; let tuple: Bool? }
        let values: [String: Value]
        let similar: [String: String?]
    }

    func load() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Fixtures.url("cli/reference.json")))
    }

    func testValueTypingMatchesReference() throws {
        let ref = try load()
        XCTAssertGreaterThan(ref.values.count, 40)
        for (text, expected) in ref.values.sorted(by: { $0.key < $1.key }) {
            let v = CLIValue.parse(text)
            XCTAssertEqual(v.typeName, expected.type, "type of \(text)")
            XCTAssertEqual(v.repr, expected.repr, "repr of \(text)")
        }
    }

    func testSimilarArgumentsMatchReference() throws {
        let ref = try load()
        XCTAssertGreaterThan(ref.similar.count, 30)
        for (word, expected) in ref.similar.sorted(by: { $0.key < $1.key }) {
            let error = CLIParser.unknown([word])
            XCTAssertEqual(error.description, expected ?? "", word)
        }
    }

    func testSequenceMatcherRatios() {
        // Values from Python's difflib.SequenceMatcher(None, a, b).ratio().
        XCTAssertEqual(SimilarKeys.ratio("pose", "posee"), 8.0 / 9.0, accuracy: 1e-12)
        XCTAssertEqual(SimilarKeys.ratio("abcd", "bcda"), 0.75, accuracy: 1e-12)
        XCTAssertEqual(SimilarKeys.ratio("", ""), 1)
        XCTAssertEqual(SimilarKeys.ratio("abc", "xyz"), 0)
        XCTAssertEqual(SimilarKeys.closeMatches("appel", among: ["ape", "apple", "peach", "puppy"]), ["apple", "ape"])
    }
}
