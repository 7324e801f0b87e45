import Foundation
import Testing
@testable import TemperModels

/// Labels, problem types and the classifier / not-a-classifier decision from config.json.
@Suite struct SequenceClassificationConfigTests {
    func config(_ fields: String) throws -> SequenceClassificationConfig {
        try SequenceClassificationConfig(data: Data("{\"model_type\": \"bert\"\(fields.isEmpty ? "" : ", ")\(fields)}".utf8), path: "c")
    }

    @Test func labelsAsTransformersReadsThem() throws {
        #expect(try config("").labels == ["LABEL_0", "LABEL_1"])
        #expect(try config(#""num_labels": 3"#).labels == ["LABEL_0", "LABEL_1", "LABEL_2"])
        let named = try config(#""id2label": {"1": "harmful", "0": "safe"}, "label2id": {"safe": 0, "harmful": 1}"#)
        #expect(named.labels == ["safe", "harmful"] && named.architecture == nil && named.problemType == nil)
        #expect(named.scoreFunction == .softmax)
        // label2id naming other labels is ignored, as transformers does.
        #expect(try config(#""id2label": {"0": "a"}, "label2id": {"LABEL_0": 0}"#).labels == ["a"])
        #expect(try config(#""id2label": {"0": "a"}"#).scoreFunction == .sigmoid)
        #expect(try config(#""architectures": ["BertForSequenceClassification"]"#).architecture == "BertForSequenceClassification")
    }

    @Test func inconsistentLabelsAreErrors() throws {
        let cases: [(String, String)] = [
            (#""id2label": {"0": "a", "2": "b"}"#, "id2label"),
            (#""id2label": {"zero": "a"}"#, "id2label"),
            (#""id2label": {}"#, "id2label"),
            (#""id2label": {"0": "a", "1": "b"}, "num_labels": 3"#, "num_labels"),
            (#""num_labels": 0"#, "num_labels"),
            (#""id2label": {"0": "a", "1": "b"}, "label2id": {"a": 1}"#, "label2id"),
        ]
        for (fields, field) in cases {
            #expect {
                try config(fields)
            } throws: { error in
                guard case let ModelError.invalidConfigField(_, name, _) = error else { return false }
                return name == field
            }
        }
        #expect(throws: ModelError.unsupportedConfig(path: "c", field: "problem_type", value: "ranking")) {
            try config(#""problem_type": "ranking""#)
        }
    }

    @Test func decidesWhatIsAClassifier() throws {
        func kind(_ json: String) -> String {
            do {
                _ = try SequenceClassificationConfig(data: Data(json.utf8), path: "c")
                return "ok"
            } catch ModelError.notAClassifier { return "not" } catch ModelError.unsupportedConfig(_, "architectures", _) {
                return "unsupported"
            } catch { return "other" }
        }
        #expect(kind(#"{"model_type": "bert", "architectures": ["BertForSequenceClassification"]}"#) == "ok")
        #expect(kind(#"{"model_type": "bert", "architectures": ["BertModel"]}"#) == "not")
        #expect(kind(#"{"model_type": "bert", "architectures": ["BertForMaskedLM"]}"#) == "not")
        #expect(kind(#"{"model_type": "llama", "architectures": ["LlamaForCausalLM"]}"#) == "not")
        #expect(kind(#"{"model_type": "gpt2"}"#) == "not")
        #expect(kind(#"{"model_type": "t5"}"#) == "not")
        #expect(kind(#"{"model_type": "llama", "architectures": ["LlamaForSequenceClassification"]}"#) == "unsupported")
        #expect(kind(#"{"model_type": "distilbert", "architectures": ["DistilBertForSequenceClassification"]}"#) == "unsupported")
        #expect(kind(#"{"model_type": "xlm-roberta", "architectures": ["XLMRobertaForSequenceClassification"]}"#) == "unsupported")
        #expect(kind(#"{"model_type": "roberta", "architectures": ["RobertaForSequenceClassification"]}"#) == "ok")
        #expect(kind(#"{"model_type": "roberta", "architectures": ["RobertaModel"]}"#) == "not")
        #expect(kind(#"{"model_type": "bert", "architectures": ["RobertaForSequenceClassification"]}"#) == "other")
        #expect(kind(#"{"architectures": ["BertForSequenceClassification"]}"#) == "other")
    }
}
