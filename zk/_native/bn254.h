/* BN254 (alt_bn128) kernels for Groth16: public interface of the C core.
 *
 * Every function takes canonical little-endian encodings (scalars 32 bytes < r,
 * G1 64 bytes x||y, G2 128 bytes x.c0||x.c1||y.c0||y.c1, infinity all zeros)
 * and works in Montgomery form inside. Nothing here prints or aborts: failures
 * are reported as a bn_status code plus the index of the offending element.
 */
#ifndef ZK_BN254_H
#define ZK_BN254_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    BN_OK = 0,
    BN_ERR_SCALAR,    /* a scalar is not reduced mod r */
    BN_ERR_COORD,     /* a coordinate is >= q */
    BN_ERR_CURVE,     /* a point is not on the curve (or twist) */
    BN_ERR_SUBGROUP,  /* a G2 point is not in the r-torsion subgroup */
    BN_ERR_RANGE,     /* a sparse entry's row/column is out of range */
    BN_ERR_WITNESS,   /* a witness value is not reduced mod r */
    BN_ERR_ARG,       /* bad size or parameter (e.g. NTT length) */
    BN_ERR_NOMEM      /* allocation or thread creation failed */
} bn_status;

/* Fills the derived constants; call once before anything else. */
void bn_init(void);

/* Worker count: ZK_THREADS if set (>= 1), else the number of online cores. */
int bn_default_threads(void);

/* out = sum_i scalars[i] * points[i]; *bad receives the failing index. */
bn_status bn_msm_g1(const uint8_t *points, const uint8_t *scalars, size_t n,
                    uint8_t out[64], int threads, size_t *bad);
bn_status bn_msm_g2(const uint8_t *points, const uint8_t *scalars, size_t n,
                    uint8_t out[128], int threads, size_t *bad);

/* out[i] = scalars[i] * base (affine encodings, n of them). */
bn_status bn_batch_mul_g1(const uint8_t base[64], const uint8_t *scalars, size_t n,
                          uint8_t *out, int threads, size_t *bad);
bn_status bn_batch_mul_g2(const uint8_t base[128], const uint8_t *scalars, size_t n,
                          uint8_t *out, int threads, size_t *bad);

/* Radix-2 NTT of n words (n a power of two <= 2^28) on the coset shift * <w>.
 * Forward: coefficients -> evaluations; inverse: the converse. out may be in. */
bn_status bn_ntt(const uint8_t *in, uint8_t *out, size_t n, int inverse,
                 const uint8_t shift[32], int threads, size_t *bad);

/* Groth16 quotient: with c = a * b row-wise, interpolate a, b, c over <w> (n words,
 * a power of two), evaluate on the coset shift * <w>: out = a' * b' - c'. */
bn_status bn_coset_quotient(const uint8_t *a, const uint8_t *b, size_t n, const uint8_t shift[32],
                            uint8_t *out, int threads, size_t *bad);

/* out[i] = a[i] * b[i] - c[i] mod r. */
bn_status bn_fr_mul_sub(const uint8_t *a, const uint8_t *b, const uint8_t *c, size_t n,
                        uint8_t *out, size_t *bad);

/* out[rows[k]] += coeffs[k] * witness[cols[k]] (rows/cols little-endian uint32). */
bn_status bn_sparse_matvec(size_t n_rows, const uint8_t *rows, const uint8_t *cols,
                           const uint8_t *coeffs, size_t m, const uint8_t *witness,
                           size_t n_wit, uint8_t *out, size_t *bad);

/* Index of the first invalid point, or -1. G2 also checks r-torsion membership. */
long bn_check_g1(const uint8_t *points, size_t n, int allow_infinity, int threads);
long bn_check_g2(const uint8_t *points, size_t n, int allow_infinity, int threads);

/* *ok = (prod_i e(g1[i], g2[i]) == 1); points must be on their curves. */
bn_status bn_pairing_check(const uint8_t *g1, const uint8_t *g2, size_t k, int *ok,
                           size_t *bad);

#endif
