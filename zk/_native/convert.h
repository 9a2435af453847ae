/* Format conversions, batched point scaling, vector subtraction and sparse products of
 * points (convert.c, group_scale_tmpl.h, group_sub_tmpl.h, group_sparse_tmpl.h). */
#ifndef ZK_CONVERT_H
#define ZK_CONVERT_H

#include "bn254.h"

/* LEM (Montgomery, as .zkey/.ptau store them) -> canonical points, n of them
 * (g2: 128-byte points); coordinates < q always checked, on-curve when check.
 * out may equal in. */
bn_status bn_points_from_lem(const uint8_t *in, uint8_t *out, size_t n, int g2, int check,
                             int threads, size_t *bad);
/* Canonical -> LEM (coordinates < q checked). */
bn_status bn_points_to_lem(const uint8_t *in, uint8_t *out, size_t n, int g2, int threads,
                           size_t *bad);

/* Index of the first 32-byte word that is not < r, or -1. */
long bn_fr_first_unreduced(const uint8_t *words, size_t n);

/* .zkey coefficient entries (44 bytes each): validate (matrix <= 1, row < domain,
 * wire < nvars, value < r) and count per matrix; then split into the sparse
 * (rows, cols, canonical coeffs) arrays of each matrix; join is the inverse. */
bn_status bn_zkey_coefs_count(const uint8_t *entries, size_t m, uint32_t domain, uint32_t nvars,
                              size_t counts[2], size_t *bad);
void bn_zkey_coefs_split(const uint8_t *entries, size_t m, uint8_t *rows[2], uint8_t *cols[2],
                         uint8_t *coeffs[2]);
bn_status bn_zkey_coefs_join(const uint8_t *const rows[2], const uint8_t *const cols[2],
                             const uint8_t *const coeffs[2], const size_t counts[2],
                             uint8_t *out, size_t *bad);

/* out[i] = (first * step^i) * in[i] for canonical points (infinity stays infinity);
 * the GIL-free batched kernel of ceremony contributions. out may equal in. */
bn_status bn_scale_g1(const uint8_t *in, uint8_t *out, size_t n, const uint8_t first[32],
                      const uint8_t step[32], int threads, size_t *bad);
bn_status bn_scale_g2(const uint8_t *in, uint8_t *out, size_t n, const uint8_t first[32],
                      const uint8_t step[32], int threads, size_t *bad);

/* out[i] = a[i] - b[i] over n canonical G1 points each (infinity allowed), batch-affine
 * with one inversion per chunk; the GIL-free kernel of the circuit hash's H points.
 * On a bad point *bad = 2 * index + (1 if it is in b). */
bn_status bn_g1_sub_many(const uint8_t *a, const uint8_t *b, uint8_t *out, size_t n,
                         int threads, size_t *bad);

/* out[c] = acc[c] + sum over the m entries (rows[e], cols[e], coeffs[e]) of
 * coeffs[e] * points[rows[e]] (nout accumulator points, npts points; rows/cols u32 LE,
 * coefficients 32-byte words < r): one small MSM per column. On failure *what is
 * 0 (an accumulator point), 1 (a point) or 2 (an entry) and *bad its index. */
bn_status bn_sparse_msm_g1(const uint8_t *acc, size_t nout, const uint8_t *points, size_t npts,
                           const uint8_t *rows, const uint8_t *cols, const uint8_t *coeffs,
                           size_t m, uint8_t *out, int threads, size_t *bad, int *what);
bn_status bn_sparse_msm_g2(const uint8_t *acc, size_t nout, const uint8_t *points, size_t npts,
                           const uint8_t *rows, const uint8_t *cols, const uint8_t *coeffs,
                           size_t m, uint8_t *out, int threads, size_t *bad, int *what);

#endif
