import ArgumentParser

/// `temper job …`: hand a transform to PyTorch's distributed engine and take the result back.
struct JobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Export a transform as a job for torchrun + FSDP2 (Engines/torch) and import its result.",
        discussion: """
        temper job export writes a job folder (Formats/job.md): the transform's config exactly as provenance records it, the data tokenized by Temper, each step's batch indices, and whatever Temper draws or measures that the engine must not redo: each step's Gaussian noise (RepNoise), RMU's layer, c and control vector c·u, LAT's residual points and absolute ε. Covered: harden repnoise|adversarial|lat, unlearn ga|graddiff|npo|simnpo|rmu, and one run of the fine-tuning attack (job export attack). The job also holds the engine package, pinned requirements.txt and run.sh. Run it anywhere torch runs: ./run.sh --nproc 8 (extra options go to torchrun, e.g. --nnodes 4 --rdzv-endpoint host:29500). temper job import then checks the result against the job and the base model and writes a signed, provenance-carrying model folder.

        Example:
          temper job export harden repnoise base --harmful pairs.jsonl --retain harmless.jsonl --steps 300 --out job
          PYTHON=venv/bin/python job/run.sh --nproc 2
          temper job import job hardened --key key.pem
          temper job export attack hardened --data harmful-sft.jsonl --lr 3e-4 --steps 100 --out attack-job
        """,
        subcommands: [JobExportCommand.self, JobImportCommand.self])
}

/// `temper job export <transform command line without OUT> --out JOB`.
struct JobExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a job folder for a transform, with the same options as the transform's own command.",
        subcommands: [JobExportHardenCommand.self, JobExportUnlearnCommand.self, JobExportAttackCommand.self])
}

/// `temper job export harden …`.
struct JobExportHardenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "harden",
        abstract: "Export a temper harden transform as a job.",
        discussion: "The options are those of temper harden repnoise / adversarial / lat; OUT is replaced by --out JOB.",
        subcommands: [JobExportRepNoiseCommand.self, JobExportAdversarialCommand.self, JobExportLATCommand.self])
}
