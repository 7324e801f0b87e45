import CBLAS
import CTemperKernels

/// `cblas_sgemm` (row-major) with TemperTensor's threading model: OpenBLAS runs each call
/// single-threaded and large products are split into row (or column) blocks computed
/// concurrently by `Parallel`. One worker pool then serves BLAS and elementwise loops alike;
/// measured on 2 cores this matches OpenBLAS's own threads on large products, doubles its
/// rate on small ones (1024×128×128) and avoids its spinning workers competing with ours.
/// Callers validate that sizes and leading dimensions fit in Int32 (`BLAS.check`).
enum BLAS {
    /// Configures OpenBLAS once, before the first product.
    static let singleThreaded: Void = { openblas_set_num_threads(1) }()

    /// Products below this many multiply-adds run as one call.
    static let splitThreshold = 1 << 20

    /// C = alpha·op(A)·op(B) + beta·C with op(A) m×k, op(B) k×n, C m×n, split across cores.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if !transA, transB, m <= matVecRows, alpha == 1, beta == 0 || beta == 1, k > 0 {
            matVec(m: m, n: n, k: k, x: a, ldx: lda, w: b, ldw: ldb, accumulate: beta == 1, y: c, ldy: ldc)
            return
        }
        let pieces = Parallel.cores
        guard pieces > 1, m * n * k >= splitThreshold, m >= 16 * pieces || n >= 16 * pieces else {
            serial(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let splitRows = m >= n || n < 16 * pieces
        let extent = splitRows ? m : n
        let block = (extent / pieces + 7) / 8 * 8 // multiples of 8 keep kernel tiles whole
        Parallel.perform(pieces) { piece in
            let start = piece * block
            let end = piece == pieces - 1 ? extent : Swift.min(extent, start + block)
            guard start < end else { return }
            if splitRows {
                serial(transA: transA, transB: transB, m: end - start, n: n, k: k, alpha: alpha,
                       a: a + (transA ? start : start * lda), lda: lda, b: b, ldb: ldb, beta: beta, c: c + start * ldc, ldc: ldc)
            } else {
                serial(transA: transA, transB: transB, m: m, n: end - start, k: k, alpha: alpha,
                       a: a, lda: lda, b: b + (transB ? start * ldb : start), ldb: ldb, beta: beta, c: c + start, ldc: ldc)
            }
        }
    }

    /// x·Wᵀ products with at most this many rows of x (decoding, short prompts) run as
    /// matrix-vector products: each weight row is read once and used for every row of x.
    static let matVecRows = 8

    /// Weight elements per piece below which a matrix-vector product is not split.
    static let matVecGrain = 1 << 16

    /// C[m×n] (+)= X[m×k]·W[n×k]ᵀ with `temper_f32_gemv` (AVX2/FMA or portable, same bits),
    /// the n weight rows split across cores in blocks of 4. Memory-bound: one pass over W.
    static func matVec(m: Int, n: Int, k: Int, x: UnsafePointer<Float>, ldx: Int, w: UnsafePointer<Float>, ldw: Int,
                       accumulate: Bool, y: UnsafeMutablePointer<Float>, ldy: Int, simd: Bool = true) {
        // More pieces than cores: Dispatch's caller starts on the first while the other workers
        // wake (tens of µs), and whoever is free takes the next, so a late wake-up costs only
        // its own delay instead of leaving the caller to do half the rows alone.
        let pieces = Swift.min(4 * Parallel.cores, n * k / matVecGrain)
        let flags = (accumulate ? Int32(1) : 0, simd ? Int32(1) : 0)
        guard pieces > 1 else {
            temper_f32_gemv(w, n, k, ldw, x, m, ldx, y, ldy, flags.0, flags.1)
            return
        }
        let block = (n / pieces + 3) / 4 * 4
        Parallel.perform(pieces) { piece in
            let start = piece * block
            let end = piece == pieces - 1 ? n : Swift.min(n, start + block)
            guard start < end else { return }
            temper_f32_gemv(w + start * ldw, end - start, k, ldw, x, m, ldx, y + start, ldy, flags.0, flags.1)
        }
    }

    /// One weight of a grouped matrix-vector product: n rows of W [n×k] into y [m×n].
    struct MatVecPart {
        let w: UnsafePointer<Float>
        let n: Int
        let y: UnsafeMutablePointer<Float>
        let accumulate: Bool
    }

    /// `matVec` for several weights applied to the same X, as one parallel region: the rows of
    /// all weights are split together, a piece that crosses from one weight into the next
    /// computes both ranges. Every output row is the same kernel call as in `matVec`.
    static func matVec(m: Int, k: Int, x: UnsafePointer<Float>, ldx: Int, parts: [MatVecPart], simd: Bool = true) {
        let total = parts.reduce(0) { $0 + $1.n }
        let pieces = Swift.min(4 * Parallel.cores, total * k / matVecGrain)
        let simdFlag: Int32 = simd ? 1 : 0
        func run(_ start: Int, _ end: Int) {
            var offset = 0
            for part in parts {
                let lo = Swift.max(start, offset), hi = Swift.min(end, offset + part.n)
                if lo < hi {
                    temper_f32_gemv(part.w + (lo - offset) * k, hi - lo, k, k, x, m, ldx, part.y + (lo - offset), part.n,
                                    part.accumulate ? 1 : 0, simdFlag)
                }
                offset += part.n
            }
        }
        guard pieces > 1 else { return run(0, total) }
        let block = (total / pieces + 3) / 4 * 4
        Parallel.perform(pieces) { piece in
            let start = piece * block
            let end = piece == pieces - 1 ? total : Swift.min(total, start + block)
            if start < end { run(start, end) }
        }
    }

    /// One single-threaded call (for use inside parallel loops).
    static func serial(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                       a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                       beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = singleThreaded
        if m == 0 || n == 0 { return }
        if k == 0 {
            for row in 0..<m {
                for col in 0..<n { c[row * ldc + col] = beta == 0 ? 0 : beta * c[row * ldc + col] }
            }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Throws unless every value fits the 32-bit BLAS interface.
    static func check(_ values: Int..., op: String, shape: [Int]) throws {
        for value in values where value > Int(Int32.max) {
            throw TensorError.invalidShape(op: op, shape: shape, reason: "dimension exceeds the 32-bit BLAS interface")
        }
    }
}

/// Threading knobs. TemperTensor's own workers (TEMPER_NUM_THREADS, default: all cores) run
/// both elementwise loops and blocks of matrix products; OpenBLAS itself runs one thread
/// per call. Raising OpenBLAS threads only helps code that calls BLAS outside TemperTensor.
public enum TensorBackend {
    /// Workers TemperTensor splits large loops and products across.
    public static var threads: Int { Parallel.cores }
    /// Runs `body(0..<iterations)` on TemperTensor's workers (`Parallel.perform`), for kernels
    /// outside TemperTensor (the Q8_0 products of TemperModels) that split work the same way.
    /// `body` must touch disjoint memory per iteration.
    public static func perform(_ iterations: Int, _ body: (Int) -> Void) { Parallel.perform(iterations, body) }
    /// Threads OpenBLAS uses inside one call (1 unless changed).
    public static var blasThreads: Int {
        _ = BLAS.singleThreaded
        return Int(openblas_get_num_threads())
    }
    /// Bytes of freed tensor buffers kept for reuse.
    public static var cachedBytes: Int { BufferCache.shared.bytesCached }
    /// Returns cached buffers to the system and caps the cache at `limitBytes` (default 1 GiB;
    /// 0 disables recycling).
    public static func releaseCachedMemory(limitBytes: Int = 1 << 30) { BufferCache.shared.trim(limit: limitBytes) }
    /// Stops OpenBLAS's idle worker threads (started when the library loads, spinning before
    /// they sleep); OpenBLAS restarts them if a later call wants more than one thread.
    /// TemperTensor itself runs OpenBLAS single-threaded.
    public static func stopIdleBLASThreads() {
        _ = blas_thread_shutdown_()
    }
    /// Sets the OpenBLAS thread count for the whole process (e.g. for LAPACK work).
    public static func setBLASThreads(_ count: Int) {
        _ = BLAS.singleThreaded
        openblas_set_num_threads(Int32(max(1, count)))
    }
}
