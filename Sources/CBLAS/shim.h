#include <cblas.h>

// LAPACK's symmetric eigensolvers (divide and conquer), which OpenBLAS ships; declared
// here because Debian's cblas.h does not include lapack.h. Column-major, Fortran ABI.
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info);

// OpenBLAS (pthreads build) starts its worker threads when the library loads, and each spins
// with sched_yield for ~0.1 s before it sleeps: CPU time a command that never multiplies
// matrices (hash, sign, verify) pays. This joins them; OpenBLAS starts them again on its
// next multi-threaded call (exec_blas checks blas_server_avail).
int blas_thread_shutdown_(void);
