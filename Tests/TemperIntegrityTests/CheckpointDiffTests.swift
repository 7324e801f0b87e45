import Foundation
import Testing
@testable import TemperIntegrity

@Suite struct CheckpointDiffTests {
    @Test func layerIndexFromCommonNamingSchemes() {
        #expect(CheckpointDiff.layerIndex("model.layers.12.mlp.down_proj.weight") == 12)
        #expect(CheckpointDiff.layerIndex("blk.3.attn_q.weight") == 3)
        #expect(CheckpointDiff.layerIndex("transformer.h.0.attn.c_attn.weight") == 0)
        #expect(CheckpointDiff.layerIndex("bert.encoder.layer.7.output.dense.bias") == 7)
        #expect(CheckpointDiff.layerIndex("model.embed_tokens.weight") == nil)
        #expect(CheckpointDiff.layerIndex("lm_head.h") == nil)
        #expect(CheckpointDiff.layerIndex("layers.x.weight") == nil)
    }
}
