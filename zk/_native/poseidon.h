/* circomlib's Poseidon over the BN254 scalar field, many hashes per call. */
#ifndef ZK_POSEIDON_H
#define ZK_POSEIDON_H

#include <stddef.h>
#include <stdint.h>

#include "bn254.h"

/* Largest width (16 inputs), as in circomlib. */
#define BN_POSEIDON_MAX_T 17

/* out[k] = Poseidon(inputs[k*(t-1) .. (k+1)*(t-1)]) for k < n, with the caller's round
 * constants ((r_f + r_p) * t words) and MDS matrix (t * t words, row-major); every
 * word canonical little-endian. BN_ERR_ARG for a bad width, round count or constant;
 * BN_ERR_SCALAR with *bad = the first input word that is not < r. */
bn_status bn_poseidon_rows(int t, int r_f, int r_p, const uint8_t *constants,
                           const uint8_t *mds, const uint8_t *inputs, size_t n,
                           uint8_t *out, size_t *bad);

#endif
