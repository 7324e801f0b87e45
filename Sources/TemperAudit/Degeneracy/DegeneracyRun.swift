import Foundation
import TemperFormats
import TemperModels
import TemperText

/// `temper audit degeneracy`: loads the models (any decoder `CausalLanguageModel`) and the
/// dataset, audits each model, writes OUT.json, OUT.html and one OUT.<n>.bases.safetensors
/// per model.
public enum DegeneracyRun {
    public static func run(model: URL, compare: URL?, data: URL, config: DegeneracyConfig, report: URL,
                           progress: (String) -> Void = { _ in }) throws -> DegeneracyReport {
        try config.validate()
        let dataset: JSONLDataset
        do { dataset = try JSONLDataset.load(data) } catch {
            throw AuditError.emptyDataset(path: data.path, reason: (error as? LocalizedError)?.errorDescription ?? "\(error)")
        }
        var models: [DegeneracyReport.Model] = []
        for (n, folder) in ([model] + (compare.map { [$0] } ?? [])).enumerated() {
            let role = n == 0 ? "model" : "compared model"
            guard AuditInputs.isDirectory(folder) else { throw AuditError.missingInput(role: role, path: folder.path) }
            let lm: any CausalLanguageModel, tokenizer: Tokenizer
            do {
                lm = try ModelRegistry.loadCausalLM(folder)
                tokenizer = try Tokenizer.load(folder)
            } catch {
                throw AuditError.unreadableModel(role: role, path: folder.path, reason: (error as? LocalizedError)?.errorDescription ?? "\(error)")
            }
            let sequences = try DegeneracyData.sequences(dataset, tokenizer: tokenizer, maxLength: lm.maxPositions ?? 4096,
                                                         maxTokens: config.maxTokens)
            progress("\(folder.path): \(lm.modelType), \(lm.layerCount) blocks, hidden \(lm.hiddenSize); \(sequences.reduce(0) { $0 + $1.ids.count }) tokens")
            let result = try DegeneracyAudit.run(model: lm, sequences: sequences, config: config, progress: progress)
            let basesURL = report.appendingPathExtension("\(n).bases.safetensors")
            try prepareFolder(basesURL)
            try DegeneracyBases.write(result, to: basesURL, metadata: [("model", folder.path), ("format", "temper-degeneracy-bases")])
            models.append(DegeneracyReport.model(result, path: folder.path, modelType: lm.modelType, bases: basesURL.lastPathComponent))
        }
        let settings = DegeneracyReport.Settings(threshold: config.threshold, intervals: config.intervals, maxTokens: config.maxTokens,
                                                 edgeTokens: config.edgeTokens, ablationTokens: config.ablationTokens,
                                                 basisFormula: config.basisFormula.rawValue,
                                                 jacobianSources: config.basisFormula == .jacobian ? (config.jacobianSources ?? 0) : nil,
                                                 edgeFormula: config.edgeTokens > 0 ? config.edgeFormula.rawValue : nil,
                                                 edgeSources: config.edgeTokens > 0 && config.edgeFormula == .squared ? (config.edgeSources ?? 0) : nil)
        let out = DegeneracyReport(data: data.path, settings: settings, model: models[0], compare: models.count > 1 ? models[1] : nil)
        try ReportFiles.write(out, html: DegeneracyReportHTML.page(out), to: report)
        return out
    }

    static func prepareFolder(_ url: URL) throws {
        let folder = url.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw AuditError.io(path: folder.path, reason: "cannot create the report folder: \(error.localizedDescription)")
        }
    }
}
