#include <cblas.h>

// LAPACK's symmetric eigensolvers (divide and conquer), which OpenBLAS ships; declared
// here because Debian's cblas.h does not include lapack.h. Column-major, Fortran ABI.
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info);
