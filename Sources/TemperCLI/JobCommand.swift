import ArgumentParser

/// `temper job …`: hand a transform to PyTorch's distributed engine and take the result back.
struct JobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Export a transform as a job for torchrun + FSDP2 (Engines/torch) and import its result.",
        discussion: """
        temper job export writes a job folder (Formats/job.md): the transform's config exactly as provenance records it, the data tokenized by Temper, each step's batch indices (forget and retain for unlearn ga/graddiff/npo/simnpo/rmu), each step's Gaussian noise (RepNoise) and RMU's control vector c·u, the engine package, pinned requirements.txt and run.sh. Run it anywhere torch runs: ./run.sh --nproc 8 (extra options go to torchrun, e.g. --nnodes 4 --rdzv-endpoint host:29500). temper job import then checks the result against the job and the base model and writes a signed, provenance-carrying model folder.

        Example:
          temper job export harden repnoise base --harmful pairs.jsonl --retain harmless.jsonl --steps 300 --out job
          PYTHON=venv/bin/python job/run.sh --nproc 2
          temper job import job hardened --key key.pem
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
