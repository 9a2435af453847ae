/* libFuzzer harness for the C readers of untrusted bytes in zk/_native (no Python).
 *
 * The first input byte picks a kernel, the rest is its input:
 *   0/1  bn_points_from_lem, G1/G2, on-curve check on; an accepted buffer must survive
 *        bn_points_to_lem back to the same bytes
 *   2/3  bn_points_to_lem, G1/G2; accepted buffers round-trip through from_lem (no check)
 *   4    bn_fr_first_unreduced, compared with a byte-wise comparison against r
 *   5    bn_zkey_coefs_count + bn_zkey_coefs_split (domain, nvars from the input), then
 *        bn_zkey_coefs_join must give the entries back, A's before B's
 *   6/7  bn_check_g1 / bn_check_g2 (with and without infinity), index within bounds
 *   8    bn_sparse_matvec with rows, columns, coefficients and witness from the input
 * A broken invariant aborts (a libFuzzer crash); memory errors are AddressSanitizer's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bn254.h"
#include "convert.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* r, big-endian */
static const uint8_t R_BE[32] = {
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01};

static int lt_r(const uint8_t *le) {
    for (int i = 0; i < 32; i++) {
        uint8_t a = le[31 - i];
        if (a != R_BE[i]) return a < R_BE[i];
    }
    return 0;
}

static uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    bn_init();
    return 0;
}

static void points(const uint8_t *in, size_t len, int g2, int from_lem) {
    size_t psize = g2 ? 128 : 64, n = len / psize, bad = 0;
    uint8_t *out = malloc(n * psize + 1), *back = malloc(n * psize + 1);
    CHECK(out && back);
    bn_status st = from_lem ? bn_points_from_lem(in, out, n, g2, 1, 1, &bad)
                            : bn_points_to_lem(in, out, n, g2, 1, &bad);
    if (st == BN_OK) {
        st = from_lem ? bn_points_to_lem(out, back, n, g2, 1, &bad)
                      : bn_points_from_lem(out, back, n, g2, 0, 1, &bad);
        CHECK(st == BN_OK && memcmp(back, in, n * psize) == 0);
    } else {
        CHECK(bad < n && (st == BN_ERR_COORD || st == BN_ERR_CURVE));
    }
    free(out);
    free(back);
}

static void first_unreduced(const uint8_t *in, size_t len) {
    size_t n = len / 32;
    long want = -1;
    for (size_t i = 0; i < n && want < 0; i++)
        if (!lt_r(in + 32 * i)) want = (long)i;
    CHECK(bn_fr_first_unreduced(in, n) == want);
}

static void zkey_coefs(const uint8_t *in, size_t len) {
    if (len < 8) return;
    uint32_t domain = rd32(in), nvars = rd32(in + 4);
    const uint8_t *e = in + 8;
    size_t m = (len - 8) / 44, counts[2], bad = 0;
    if (bn_zkey_coefs_count(e, m, domain, nvars, counts, &bad) != BN_OK) {
        CHECK(bad < m);
        return;
    }
    CHECK(counts[0] + counts[1] == m);
    uint8_t *rows[2], *cols[2], *coeffs[2];
    for (int k = 0; k < 2; k++) {
        rows[k] = malloc(4 * counts[k] + 1);
        cols[k] = malloc(4 * counts[k] + 1);
        coeffs[k] = malloc(32 * counts[k] + 1);
        CHECK(rows[k] && cols[k] && coeffs[k]);
    }
    bn_zkey_coefs_split(e, m, rows, cols, coeffs);
    uint8_t *joined = malloc(44 * m + 1), *want = malloc(44 * m + 1);
    CHECK(joined && want);
    const uint8_t *crows[2] = {rows[0], rows[1]}, *ccols[2] = {cols[0], cols[1]};
    const uint8_t *ccoeffs[2] = {coeffs[0], coeffs[1]};
    CHECK(bn_zkey_coefs_join(crows, ccols, ccoeffs, counts, joined, &bad) == BN_OK);
    size_t k = 0;   /* the entries, stably partitioned: matrix 0 first */
    for (uint32_t mat = 0; mat < 2; mat++)
        for (size_t i = 0; i < m; i++)
            if (rd32(e + 44 * i) == mat) memcpy(want + 44 * k++, e + 44 * i, 44);
    CHECK(k == m && memcmp(joined, want, 44 * m) == 0);
    for (int j = 0; j < 2; j++) {
        for (size_t i = 0; i < counts[j]; i++) CHECK(lt_r(coeffs[j] + 32 * i));
        free(rows[j]);
        free(cols[j]);
        free(coeffs[j]);
    }
    free(joined);
    free(want);
}

static void check_points(const uint8_t *in, size_t len, int g2) {
    size_t psize = g2 ? 128 : 64, n = len / psize;
    for (int inf = 0; inf < 2; inf++) {
        long idx = g2 ? bn_check_g2(in, n, inf, 1) : bn_check_g1(in, n, inf, 1);
        CHECK(idx >= -1 && idx < (long)n);
    }
}

static void matvec(const uint8_t *in, size_t len) {
    if (len < 4) return;
    size_t n_rows = in[0] | (size_t)in[1] << 8, m = in[2], n_wit = in[3], bad = 0;
    in += 4;
    len -= 4;
    if (len < 40 * m + 32 * n_wit) return;
    const uint8_t *rows = in, *cols = in + 4 * m, *coeffs = in + 8 * m, *wit = in + 40 * m;
    uint8_t *out = malloc(32 * n_rows + 1);
    CHECK(out);
    bn_status st = bn_sparse_matvec(n_rows, rows, cols, coeffs, m, wit, n_wit, out, &bad);
    if (st == BN_OK) {
        for (size_t i = 0; i < n_rows; i++) CHECK(lt_r(out + 32 * i));
    } else {
        CHECK(st == BN_ERR_WITNESS ? bad < n_wit : bad < m);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const uint8_t *in = data + 1;
    size_t len = size - 1;
    switch (data[0] % 9) {
    case 0: points(in, len, 0, 1); break;
    case 1: points(in, len, 1, 1); break;
    case 2: points(in, len, 0, 0); break;
    case 3: points(in, len, 1, 0); break;
    case 4: first_unreduced(in, len); break;
    case 5: zkey_coefs(in, len); break;
    case 6: check_points(in, len, 0); break;
    case 7: check_points(in, len, 1); break;
    case 8: matvec(in, len); break;
    }
    return 0;
}
