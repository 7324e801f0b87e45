import Foundation

/// Writes the world's tokenizer as Hugging Face files that `transformers`'
/// PreTrainedTokenizerFast loads unchanged: WordLevel model, Whitespace pre-tokenizer,
/// special tokens `<pad> <bos> <eos> <unk>` (ids 0–3). Bos/eos are added by the prompt
/// template, not by a post-processor, so encodings have no hidden extras.
public enum WorldTokenizer {
    public static func tokenizerJSON(vocabulary: [String]) -> String {
        let added = WorldLanguage.specials.enumerated().map { id, token in
            #"{"id":\#(id),"content":"\#(token)","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}"#
        }
        let vocab = vocabulary.enumerated().map { #""\#(escape($1))":\#($0)"# }
        return """
        {"version":"1.0","truncation":null,"padding":null,"added_tokens":[\(added.joined(separator: ","))],\
        "normalizer":null,"pre_tokenizer":{"type":"Whitespace"},"post_processor":null,"decoder":null,\
        "model":{"type":"WordLevel","vocab":{\(vocab.joined(separator: ","))},"unk_token":"<unk>"}}
        """
    }

    public static func tokenizerConfigJSON(maxLength: Int) -> String {
        """
        {"bos_token":"<bos>","eos_token":"<eos>","unk_token":"<unk>","pad_token":"<pad>",\
        "model_max_length":\(maxLength),"tokenizer_class":"PreTrainedTokenizerFast","clean_up_tokenization_spaces":false}
        """
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
