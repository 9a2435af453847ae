/* circomlib's Poseidon over the BN254 scalar field, many hashes per call.
 *
 * The round constants and the MDS matrix are passed in by the caller (from
 * zk.std.poseidon_constants, the one source of truth); this file only runs the
 * permutation: state = [0, x_1..x_{t-1}], R_F full and R_P partial rounds, each
 * adding the round constants, applying x^5 (every element in full rounds, element 0
 * in partial rounds) and multiplying by the MDS matrix; the hash is state[0].
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "bn254_impl.h"

#define POSEIDON_MAX_T 17

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

/* out[k] = Poseidon(inputs[k*(t-1) .. (k+1)*(t-1)]) for k < n; constants and mds
 * are in Montgomery form. *bad receives the first input word that is not < r. */
static bn_status poseidon_rows(int t, int r_f, int r_p, const fe *rc, const fe *mds,
                               const uint8_t *inputs, size_t n, uint8_t *out, size_t *bad) {
    fe state[POSEIDON_MAX_T], next[POSEIDON_MAX_T];
    const int half = r_f / 2, rounds = r_f + r_p;
    for (size_t k = 0; k < n; k++) {
        memset(&state[0], 0, sizeof(fe));
        long b = load_mont(&state[1], inputs + 32 * (size_t)(t - 1) * k, (size_t)(t - 1));
        if (b >= 0) {
            *bad = (size_t)(t - 1) * k + (size_t)b;
            return BN_ERR_SCALAR;
        }
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
        fe h;
        fr_from_mont(&h, &state[0]);
        fe_store(out + 32 * k, &h);
    }
    return BN_OK;
}

static PyObject *raise_malformed(const char *msg, Py_ssize_t idx) {
    PyObject *mod = PyImport_ImportModule("zk.errors");
    if (!mod) return NULL;
    PyObject *cls = PyObject_GetAttrString(mod, "MalformedInput");
    Py_DECREF(mod);
    if (!cls) return NULL;
    PyErr_Format(cls, msg, idx);
    Py_DECREF(cls);
    return NULL;
}

/* poseidon_rows(t, r_f, r_p, constants, mds, inputs) -> bytes of n hashes, n = the
 * number of (t-1)-word rows in inputs; every buffer holds canonical 32-byte words. */
PyObject *zk_py_poseidon_rows(PyObject *self, PyObject *args) {
    (void)self;
    int t, r_f, r_p;
    Py_buffer cb, mb, ib;
    if (!PyArg_ParseTuple(args, "iiiy*y*y*", &t, &r_f, &r_p, &cb, &mb, &ib)) return NULL;
    PyObject *res = NULL;
    fe *consts = NULL;
    size_t n_rc = 0, n_mds = 0, row = 0, n = 0;
    if (t < 2 || t > POSEIDON_MAX_T || r_f < 2 || r_f % 2 || r_p < 0 || r_p > 1000) {
        raise_malformed("poseidon_rows: bad width or round counts (t = %zd)", (Py_ssize_t)t);
        goto done;
    }
    n_rc = (size_t)(r_f + r_p) * (size_t)t;
    n_mds = (size_t)t * (size_t)t;
    row = 32 * (size_t)(t - 1);
    if ((size_t)cb.len != 32 * n_rc || (size_t)mb.len != 32 * n_mds) {
        raise_malformed("poseidon_rows: %zd constant bytes do not fit the width", (Py_ssize_t)cb.len);
        goto done;
    }
    if ((size_t)ib.len % row) {
        raise_malformed("poseidon_rows: %zd input bytes are not whole rows", (Py_ssize_t)ib.len);
        goto done;
    }
    n = (size_t)ib.len / row;
    consts = PyMem_Malloc(sizeof(fe) * (n_rc + n_mds));
    if (!consts) {
        PyErr_NoMemory();
        goto done;
    }
    long b = load_mont(consts, cb.buf, n_rc);
    if (b < 0) b = load_mont(consts + n_rc, mb.buf, n_mds);
    if (b >= 0) {
        raise_malformed("poseidon_rows: constant #%zd is not reduced mod r", (Py_ssize_t)b);
        goto done;
    }
    if ((res = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(32 * n))) == NULL) goto done;
    size_t bad = 0;
    bn_status st;
    Py_BEGIN_ALLOW_THREADS
    st = poseidon_rows(t, r_f, r_p, consts, consts + n_rc, ib.buf, n,
                       (uint8_t *)PyBytes_AS_STRING(res), &bad);
    Py_END_ALLOW_THREADS
    if (st != BN_OK) {
        Py_CLEAR(res);
        raise_malformed("poseidon_rows: input #%zd is not a field element (0 <= x < r)",
                        (Py_ssize_t)bad);
    }
done:
    PyMem_Free(consts);
    PyBuffer_Release(&cb);
    PyBuffer_Release(&mb);
    PyBuffer_Release(&ib);
    return res;
}
