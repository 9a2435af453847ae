/* Python binding of the BN254 C core: bytes-like in, bytes out.
 *
 * Validates lengths, releases the GIL around the core calls and turns the
 * core's status codes into zk.errors.MalformedInput naming the bad index.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "bn254.h"

static PyObject *malformed_input(void) {
    static PyObject *cls = NULL;
    if (!cls) {
        PyObject *mod = PyImport_ImportModule("zk.errors");
        if (!mod) return NULL;
        cls = PyObject_GetAttrString(mod, "MalformedInput");
        Py_DECREF(mod);
    }
    return cls;
}

static PyObject *raise_msg(const char *fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    PyOS_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    PyObject *cls = malformed_input();
    if (cls) PyErr_SetString(cls, buf);
    return NULL;
}

/* Maps a core status to an exception; item names what index counts. */
static PyObject *raise_status(bn_status st, size_t idx, const char *fn, const char *item) {
    switch (st) {
    case BN_ERR_SCALAR:
        return raise_msg("%s: scalar #%zu is not reduced mod r", fn, idx);
    case BN_ERR_WITNESS:
        return raise_msg("%s: witness #%zu is not reduced mod r", fn, idx);
    case BN_ERR_COORD:
        return raise_msg("%s: %s #%zu has a coordinate >= q", fn, item, idx);
    case BN_ERR_CURVE:
        return raise_msg("%s: %s #%zu is not on the curve", fn, item, idx);
    case BN_ERR_SUBGROUP:
        return raise_msg("%s: %s #%zu is not in the r-torsion subgroup", fn, item, idx);
    case BN_ERR_RANGE:
        return raise_msg("%s: entry #%zu is out of range", fn, idx);
    case BN_ERR_ARG:
        return raise_msg("%s: invalid argument", fn);
    case BN_ERR_NOMEM:
        return PyErr_NoMemory();
    default:
        return raise_msg("%s: internal error %d", fn, (int)st);
    }
}

static int pick_threads(int requested) {
    return requested > 0 ? requested : bn_default_threads();
}

/* ---- MSM ------------------------------------------------------------------ */
typedef bn_status (*msm_fn)(const uint8_t *, const uint8_t *, size_t, uint8_t *, int, size_t *);

static PyObject *do_msm(PyObject *args, size_t psize, msm_fn fn, const char *name) {
    Py_buffer pts, sc;
    int threads = 0;
    if (!PyArg_ParseTuple(args, "y*y*|i", &pts, &sc, &threads)) return NULL;
    PyObject *res = NULL;
    size_t n = (size_t)sc.len / 32;
    if (sc.len % 32 || (size_t)pts.len != n * psize) {
        raise_msg("%s: %zd points for %zd scalars", name, pts.len / (Py_ssize_t)psize,
                  sc.len / 32);
        goto done;
    }
    res = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)psize);
    if (!res) goto done;
    size_t bad = 0;
    bn_status st;
    threads = pick_threads(threads);
    Py_BEGIN_ALLOW_THREADS
    st = fn(pts.buf, sc.buf, n, (uint8_t *)PyBytes_AS_STRING(res), threads, &bad);
    Py_END_ALLOW_THREADS
    if (st != BN_OK) {
        Py_CLEAR(res);
        raise_status(st, bad, name, "point");
    }
done:
    PyBuffer_Release(&pts);
    PyBuffer_Release(&sc);
    return res;
}

static PyObject *py_msm_g1(PyObject *self, PyObject *args) {
    (void)self;
    return do_msm(args, 64, bn_msm_g1, "msm_g1");
}

static PyObject *py_msm_g2(PyObject *self, PyObject *args) {
    (void)self;
    return do_msm(args, 128, bn_msm_g2, "msm_g2");
}

/* ---- fixed-base batch multiplication -------------------------------------- */
static PyObject *do_batch_mul(PyObject *args, size_t psize, msm_fn fn, const char *name) {
    Py_buffer base, sc;
    int threads = 0;
    if (!PyArg_ParseTuple(args, "y*y*|i", &base, &sc, &threads)) return NULL;
    PyObject *res = NULL;
    size_t n = (size_t)sc.len / 32;
    if ((size_t)base.len != psize) {
        raise_msg("%s: base point must be %zu bytes, got %zd", name, psize, base.len);
        goto done;
    }
    if (sc.len % 32) {
        raise_msg("%s: scalars length %zd is not a multiple of 32", name, sc.len);
        goto done;
    }
    res = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * psize));
    if (!res) goto done;
    size_t bad = 0;
    bn_status st;
    threads = pick_threads(threads);
    Py_BEGIN_ALLOW_THREADS
    st = fn(base.buf, sc.buf, n, (uint8_t *)PyBytes_AS_STRING(res), threads, &bad);
    Py_END_ALLOW_THREADS
    if (st != BN_OK) {
        Py_CLEAR(res);
        if (st == BN_ERR_COORD || st == BN_ERR_CURVE)
            raise_msg("%s: base point %s", name,
                      st == BN_ERR_COORD ? "has a coordinate >= q" : "is not on the curve");
        else
            raise_status(st, bad, name, "point");
    }
done:
    PyBuffer_Release(&base);
    PyBuffer_Release(&sc);
    return res;
}

static PyObject *py_batch_mul_g1(PyObject *self, PyObject *args) {
    (void)self;
    return do_batch_mul(args, 64, bn_batch_mul_g1, "batch_mul_g1");
}

static PyObject *py_batch_mul_g2(PyObject *self, PyObject *args) {
    (void)self;
    return do_batch_mul(args, 128, bn_batch_mul_g2, "batch_mul_g2");
}

/* ---- NTT and scalar kernels ------------------------------------------------ */
static PyObject *py_ntt(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer vals, shift;
    int inverse = 0, threads = 0;
    if (!PyArg_ParseTuple(args, "y*py*|i", &vals, &inverse, &shift, &threads)) return NULL;
    PyObject *res = NULL;
    size_t n = (size_t)vals.len / 32;
    if (vals.len % 32) {
        raise_msg("ntt: values length %zd is not a multiple of 32", vals.len);
    } else if (n & (n - 1) || n > ((size_t)1 << 28)) {
        raise_msg("ntt: domain size %zu is not a power of two <= 2^28", n);
    } else if (shift.len != 32) {
        raise_msg("ntt: shift must be 32 bytes");
    } else if ((res = PyBytes_FromStringAndSize(NULL, vals.len)) != NULL) {
        size_t bad = 0;
        bn_status st;
        threads = pick_threads(threads);
        Py_BEGIN_ALLOW_THREADS
        st = bn_ntt(vals.buf, (uint8_t *)PyBytes_AS_STRING(res), n, inverse, shift.buf,
                    threads, &bad);
        Py_END_ALLOW_THREADS
        if (st == BN_ERR_ARG) {
            Py_CLEAR(res);
            raise_msg("ntt: shift must be a non-zero element of Fr");
        } else if (st != BN_OK) {
            Py_CLEAR(res);
            raise_status(st, bad, "ntt", "value");
        }
    }
    PyBuffer_Release(&vals);
    PyBuffer_Release(&shift);
    return res;
}

static PyObject *py_fr_mul_sub(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer a, b, c;
    if (!PyArg_ParseTuple(args, "y*y*y*", &a, &b, &c)) return NULL;
    PyObject *res = NULL;
    if (a.len % 32 || a.len != b.len || a.len != c.len) {
        raise_msg("fr_mul_sub: operand lengths %zd, %zd, %zd differ or are not multiples "
                  "of 32", a.len, b.len, c.len);
    } else if ((res = PyBytes_FromStringAndSize(NULL, a.len)) != NULL) {
        size_t bad = 0;
        bn_status st;
        Py_BEGIN_ALLOW_THREADS
        st = bn_fr_mul_sub(a.buf, b.buf, c.buf, (size_t)a.len / 32,
                           (uint8_t *)PyBytes_AS_STRING(res), &bad);
        Py_END_ALLOW_THREADS
        if (st != BN_OK) {
            Py_CLEAR(res);
            raise_status(st, bad, "fr_mul_sub", "value");
        }
    }
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    PyBuffer_Release(&c);
    return res;
}

static PyObject *py_sparse_matvec(PyObject *self, PyObject *args) {
    (void)self;
    Py_ssize_t n_rows;
    Py_buffer rows, cols, coeffs, wit;
    if (!PyArg_ParseTuple(args, "ny*y*y*y*", &n_rows, &rows, &cols, &coeffs, &wit)) {
        return NULL;
    }
    PyObject *res = NULL;
    size_t m = (size_t)rows.len / 4;
    if (n_rows < 0) {
        raise_msg("sparse_matvec: negative row count");
    } else if (rows.len % 4 || cols.len != rows.len || (size_t)coeffs.len != 32 * m) {
        raise_msg("sparse_matvec: %zd row, %zd column and %zd coefficient bytes do not "
                  "describe the same entries", rows.len, cols.len, coeffs.len);
    } else if (wit.len % 32) {
        raise_msg("sparse_matvec: witness length %zd is not a multiple of 32", wit.len);
    } else if ((res = PyBytes_FromStringAndSize(NULL, 32 * n_rows)) != NULL) {
        size_t bad = 0;
        bn_status st;
        Py_BEGIN_ALLOW_THREADS
        st = bn_sparse_matvec((size_t)n_rows, rows.buf, cols.buf, coeffs.buf, m, wit.buf,
                              (size_t)wit.len / 32, (uint8_t *)PyBytes_AS_STRING(res), &bad);
        Py_END_ALLOW_THREADS
        if (st == BN_ERR_SCALAR) {
            Py_CLEAR(res);
            raise_msg("sparse_matvec: coefficient #%zu is not reduced mod r", bad);
        } else if (st != BN_OK) {
            Py_CLEAR(res);
            raise_status(st, bad, "sparse_matvec", "entry");
        }
    }
    PyBuffer_Release(&rows);
    PyBuffer_Release(&cols);
    PyBuffer_Release(&coeffs);
    PyBuffer_Release(&wit);
    return res;
}

/* ---- checks and pairing ----------------------------------------------------- */
typedef long (*check_fn)(const uint8_t *, size_t, int, int);

static PyObject *do_check(PyObject *args, size_t psize, check_fn fn) {
    Py_buffer pts;
    int allow_inf = 0, threads = 0;
    if (!PyArg_ParseTuple(args, "y*p|i", &pts, &allow_inf, &threads)) return NULL;
    size_t n = (size_t)pts.len / psize;
    long idx;
    threads = pick_threads(threads);
    Py_BEGIN_ALLOW_THREADS
    idx = fn(pts.buf, n, allow_inf, threads);
    Py_END_ALLOW_THREADS
    /* a trailing partial point is itself invalid */
    if (idx < 0 && (size_t)pts.len % psize) idx = (long)n;
    PyBuffer_Release(&pts);
    return PyLong_FromLong(idx);
}

static PyObject *py_check_g1(PyObject *self, PyObject *args) {
    (void)self;
    return do_check(args, 64, bn_check_g1);
}

static PyObject *py_check_g2(PyObject *self, PyObject *args) {
    (void)self;
    return do_check(args, 128, bn_check_g2);
}

static PyObject *py_pairing_check(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer g1, g2;
    if (!PyArg_ParseTuple(args, "y*y*", &g1, &g2)) return NULL;
    PyObject *res = NULL;
    size_t k = (size_t)g1.len / 64;
    if (g1.len % 64 || (size_t)g2.len != 128 * k) {
        raise_msg("pairing_check: %zd bytes of G1 points and %zd bytes of G2 points do not "
                  "form pairs", g1.len, g2.len);
    } else {
        size_t bad = 0;
        int ok = 0;
        bn_status st;
        Py_BEGIN_ALLOW_THREADS
        st = bn_pairing_check(g1.buf, g2.buf, k, &ok, &bad);
        Py_END_ALLOW_THREADS
        if (st == BN_OK) res = PyBool_FromLong(ok);
        else raise_status(st, bad, "pairing_check", "pair");
    }
    PyBuffer_Release(&g1);
    PyBuffer_Release(&g2);
    return res;
}

static PyObject *py_default_threads(PyObject *self, PyObject *args) {
    (void)self;
    (void)args;
    return PyLong_FromLong(bn_default_threads());
}

static PyMethodDef methods[] = {
    {"msm_g1", py_msm_g1, METH_VARARGS, "msm_g1(points, scalars[, threads]) -> bytes"},
    {"msm_g2", py_msm_g2, METH_VARARGS, "msm_g2(points, scalars[, threads]) -> bytes"},
    {"batch_mul_g1", py_batch_mul_g1, METH_VARARGS,
     "batch_mul_g1(base, scalars[, threads]) -> affine points"},
    {"batch_mul_g2", py_batch_mul_g2, METH_VARARGS,
     "batch_mul_g2(base, scalars[, threads]) -> affine points"},
    {"ntt", py_ntt, METH_VARARGS, "ntt(values, inverse, shift32[, threads]) -> bytes"},
    {"fr_mul_sub", py_fr_mul_sub, METH_VARARGS, "fr_mul_sub(a, b, c) -> a*b - c"},
    {"sparse_matvec", py_sparse_matvec, METH_VARARGS,
     "sparse_matvec(n_rows, rows, cols, coeffs, witness) -> bytes"},
    {"check_g1", py_check_g1, METH_VARARGS, "check_g1(points, allow_infinity) -> index or -1"},
    {"check_g2", py_check_g2, METH_VARARGS, "check_g2(points, allow_infinity) -> index or -1"},
    {"pairing_check", py_pairing_check, METH_VARARGS, "pairing_check(g1, g2) -> bool"},
    {"default_threads", py_default_threads, METH_NOARGS, "worker threads used by default"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_bn254", "BN254 kernels in C (see zk.backend.native).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__bn254(void) {
    bn_init();
    return PyModule_Create(&module);
}
