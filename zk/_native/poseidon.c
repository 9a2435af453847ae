/* circomlib's Poseidon over the BN254 scalar field, many hashes per call.
 *
 * The round constants and the MDS matrix come from the caller (zk.std.poseidon_constants
 * is the one source of them); this file only runs the permutation: state = [0, x_1..],
 * R_F full and R_P partial rounds, each adding the round constants, applying x^5 (to
 * every element in full rounds, to element 0 in partial rounds) and multiplying by the
 * MDS matrix; the hash is state[0].
 */
#include <stdlib.h>

#include "bn254_impl.h"
#include "poseidon.h"

INLINE void pow5(fe *x) {
    fe x2, x4;
    fr_mul(&x2, x, x);
    fr_mul(&x4, &x2, &x2);
    fr_mul(x, &x4, x);
}

/* Loads n canonical words into Montgomery form; returns the first index >= r, or -1. */
static long load_mont(fe *dst, const uint8_t *src, size_t n) {
    for (size_t i = 0; i < n; i++) {
        fe v;
        fe_load(&v, src + 32 * i);
        if (!fe_lt(&v, R_P)) return (long)i;
        fr_to_mont(&dst[i], &v);
    }
    return -1;
}

static void permute(fe *state, int t, int r_f, int r_p, const fe *rc, const fe *mds) {
    fe next[BN_POSEIDON_MAX_T];
    const int half = r_f / 2, rounds = r_f + r_p;
    for (int rnd = 0; rnd < rounds; rnd++) {
        const fe *c = rc + (size_t)rnd * t;
        for (int i = 0; i < t; i++) fr_add(&state[i], &state[i], &c[i]);
        if (rnd < half || rnd >= half + r_p) {
            for (int i = 0; i < t; i++) pow5(&state[i]);
        } else {
            pow5(&state[0]);
        }
        for (int i = 0; i < t; i++) {
            fe acc, p;
            fr_mul(&acc, &mds[(size_t)i * t], &state[0]);
            for (int j = 1; j < t; j++) {
                fr_mul(&p, &mds[(size_t)i * t + j], &state[j]);
                fr_add(&acc, &acc, &p);
            }
            next[i] = acc;
        }
        memcpy(state, next, sizeof(fe) * (size_t)t);
    }
}

bn_status bn_poseidon_rows(int t, int r_f, int r_p, const uint8_t *constants,
                           const uint8_t *mds, const uint8_t *inputs, size_t n,
                           uint8_t *out, size_t *bad) {
    if (t < 2 || t > BN_POSEIDON_MAX_T || r_f < 2 || r_f % 2 || r_p < 0 || r_p > 1000) {
        return BN_ERR_ARG;
    }
    size_t n_rc = (size_t)(r_f + r_p) * (size_t)t, n_mds = (size_t)t * (size_t)t;
    fe *tables = malloc(sizeof(fe) * (n_rc + n_mds));
    if (!tables) return BN_ERR_NOMEM;
    if (load_mont(tables, constants, n_rc) >= 0 ||
        load_mont(tables + n_rc, mds, n_mds) >= 0) {
        free(tables);
        return BN_ERR_ARG;
    }
    fe state[BN_POSEIDON_MAX_T];
    const size_t width = (size_t)(t - 1);
    for (size_t k = 0; k < n; k++) {
        memset(&state[0], 0, sizeof(fe));
        long b = load_mont(&state[1], inputs + 32 * width * k, width);
        if (b >= 0) {
            *bad = width * k + (size_t)b;
            free(tables);
            return BN_ERR_SCALAR;
        }
        permute(state, t, r_f, r_p, tables, tables + n_rc);
        fe h;
        fr_from_mont(&h, &state[0]);
        fe_store(out + 32 * k, &h);
    }
    free(tables);
    return BN_OK;
}
