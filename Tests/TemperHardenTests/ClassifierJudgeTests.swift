import Foundation
import Testing
import TemperText
@testable import TemperHarden

/// The classifier judge on the committed tiny BERT classifier (Fixtures/models/
/// tiny-bert-classifier: labels safe / harmful, trained by its script to flag the made-up
/// "zorbium" topic; transformers' logits in tiny-bert-classifier.expected.json).
@Suite struct ClassifierJudgeTests {
    static let folder = HardenFixtures.root.appendingPathComponent("Fixtures/models/tiny-bert-classifier")

    struct Expected: Decodable { var texts: [String]; var logits: [[Double]] }

    @Test func verdictsFollowTheClassifiersArgmax() throws {
        let expected = try JSONDecoder().decode(Expected.self, from: try Data(contentsOf: HardenFixtures.root
            .appendingPathComponent("Fixtures/models/tiny-bert-classifier.expected.json")))
        let judge = try ClassifierJudge(folder: Self.folder, harmfulLabel: "harmful")
        let rows = expected.texts.map { DatasetRow(prompt: "q", response: $0) }
        let verdicts = try judge.harmful(answers: expected.texts, rows: rows)
        #expect(verdicts == expected.logits.map { $0[1] > $0[0] })
        #expect(verdicts.contains(true) && verdicts.contains(false))
        #expect(judge.harmfulLabel == 1 && judge.detail.contains("'harmful'") && judge.name.hasPrefix("classifier:"))
        let byIndex = try ClassifierJudge(folder: Self.folder, harmfulLabel: "0")
        #expect(try byIndex.harmful(answers: expected.texts, rows: rows) == verdicts.map { !$0 })
    }

    @Test func badClassifiersAreTypedErrors() throws {
        do {
            _ = try ClassifierJudge(folder: Self.folder, harmfulLabel: "toxic")
            Issue.record("an unknown label was accepted")
        } catch let HardenError.invalidJudge(_, reason) {
            #expect(reason.contains("unknown label 'toxic'"))
        }
        // A decoder folder is not a classifier.
        #expect(throws: HardenError.self) { _ = try ClassifierJudge(folder: HardenFixtures.worldModel, harmfulLabel: "1") }
    }
}
