/* Python binding of the BN254 C core: bytes-like in, bytes out.
 *
 * Validates lengths, releases the GIL around the core calls and turns the
 * core's status codes into zk.errors.MalformedInput naming the bad index.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "bn254_impl.h"
#include "convert.h"
#include "poseidon.h"

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

static PyObject *py_coset_quotient(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer a, b, sh;
    int threads = 0;
    if (!PyArg_ParseTuple(args, "y*y*y*|i", &a, &b, &sh, &threads)) return NULL;
    PyObject *res = NULL;
    size_t n = (size_t)a.len / 32;
    if (a.len % 32 || a.len != b.len || sh.len != 32) {
        raise_msg("coset_quotient: operand lengths %zd and %zd differ or are not multiples "
                  "of 32 (or the shift is not 32 bytes)", a.len, b.len);
    } else if (n < 2 || (n & (n - 1))) {
        raise_msg("coset_quotient: length %zu is not a power of two >= 2", n);
    } else if ((res = PyBytes_FromStringAndSize(NULL, a.len)) != NULL) {
        size_t bad = 0;
        bn_status st;
        threads = pick_threads(threads);
        Py_BEGIN_ALLOW_THREADS
        st = bn_coset_quotient(a.buf, b.buf, n, sh.buf, (uint8_t *)PyBytes_AS_STRING(res),
                               threads, &bad);
        Py_END_ALLOW_THREADS
        if (st != BN_OK) {
            Py_CLEAR(res);
            raise_status(st, bad, "coset_quotient", "value");
        }
    }
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    PyBuffer_Release(&sh);
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

/* ---- int <-> field element helpers for the solver and packing kernels below ------ */
#if PY_VERSION_HEX >= 0x030D0000
#define LONG_TO_BYTES(v, buf) _PyLong_AsByteArray((PyLongObject *)(v), (buf), 32, 1, 0, 0)
#else
#define LONG_TO_BYTES(v, buf) _PyLong_AsByteArray((PyLongObject *)(v), (buf), 32, 1, 0)
#endif

/* A canonical field element (exact int, 0 <= v < r) as a raw 4-limb value. */
static int fr_from_py(PyObject *v, fe *out) {
    if (!PyLong_CheckExact(v)) return 0;
    unsigned char buf[32];
    if (LONG_TO_BYTES(v, buf) < 0) {
        PyErr_Clear();
        return 0;
    }
    return fr_load_checked(out, buf);
}

static PyObject *fr_to_py(const fe *a) {
    if ((a->l[1] | a->l[2] | a->l[3]) == 0) return PyLong_FromUnsignedLongLong(a->l[0]);
    unsigned char buf[32];
    fe_store(buf, a);
    return _PyLong_FromByteArray(buf, 32, 1, 0);
}

static int is_kind(PyObject *kind, PyObject *want) {
    if (kind == want) return 1;
    return PyUnicode_CheckExact(kind) && PyUnicode_Compare(kind, want) == 0;
}

/* fr_pack(values) -> 32-byte little-endian words, or None if some value is not an
 * int with 0 <= v < r (the caller then reports it). */
static PyObject *py_fr_pack(PyObject *self, PyObject *arg) {
    (void)self;
    PyObject *seq = PySequence_Fast(arg, "fr_pack: expected a sequence");
    if (!seq) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *res = PyBytes_FromStringAndSize(NULL, 32 * n);
    if (!res) {
        Py_DECREF(seq);
        return NULL;
    }
    unsigned char *out = (unsigned char *)PyBytes_AS_STRING(res);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t k = 0; k < n; k++) {
        fe v;
        if (!fr_from_py(items[k], &v)) {
            Py_DECREF(res);
            Py_DECREF(seq);
            Py_RETURN_NONE;
        }
        fe_store(out + 32 * k, &v);
    }
    Py_DECREF(seq);
    return res;
}

/* ---- format conversions and batched scaling (convert.c) ---------------------- */
static PyObject *raise_point(bn_status st, size_t idx) {
    if (st == BN_ERR_COORD) return raise_msg("point #%zu has a coordinate >= q", idx);
    if (st == BN_ERR_CURVE) return raise_msg("point #%zu is not on the curve", idx);
    if (st == BN_ERR_NOMEM) return PyErr_NoMemory();
    return raise_msg("point #%zu: internal error %d", idx, (int)st);
}

/* points_from_lem(data, g2, check[, threads]) / points_to_lem(data, g2[, threads]) */
static PyObject *do_points_conv(PyObject *args, int to_lem) {
    Py_buffer in;
    int g2 = 0, check = 0, threads = 0;
    int ok = to_lem ? PyArg_ParseTuple(args, "y*p|i", &in, &g2, &threads)
                    : PyArg_ParseTuple(args, "y*pp|i", &in, &g2, &check, &threads);
    if (!ok) return NULL;
    PyObject *res = NULL;
    size_t psize = g2 ? 128 : 64;
    if ((size_t)in.len % psize) {
        raise_msg("%zd bytes is not a whole number of points", in.len);
    } else if ((res = PyBytes_FromStringAndSize(NULL, in.len)) != NULL) {
        size_t bad = 0, n = (size_t)in.len / psize;
        bn_status st;
        threads = pick_threads(threads);
        uint8_t *out = (uint8_t *)PyBytes_AS_STRING(res);
        Py_BEGIN_ALLOW_THREADS
        st = to_lem ? bn_points_to_lem(in.buf, out, n, g2, threads, &bad)
                    : bn_points_from_lem(in.buf, out, n, g2, check, threads, &bad);
        Py_END_ALLOW_THREADS
        if (st != BN_OK) {
            Py_CLEAR(res);
            raise_point(st, bad);
        }
    }
    PyBuffer_Release(&in);
    return res;
}

static PyObject *py_points_from_lem(PyObject *self, PyObject *args) {
    (void)self;
    return do_points_conv(args, 0);
}

static PyObject *py_points_to_lem(PyObject *self, PyObject *args) {
    (void)self;
    return do_points_conv(args, 1);
}

static PyObject *py_fr_first_unreduced(PyObject *self, PyObject *arg) {
    (void)self;
    Py_buffer in;
    if (PyObject_GetBuffer(arg, &in, PyBUF_SIMPLE) < 0) return NULL;
    long idx;
    Py_BEGIN_ALLOW_THREADS
    idx = bn_fr_first_unreduced(in.buf, (size_t)in.len / 32);
    Py_END_ALLOW_THREADS
    if (idx < 0 && in.len % 32) idx = (long)(in.len / 32);
    PyBuffer_Release(&in);
    return PyLong_FromLong(idx);
}

/* fr_unpack(words) -> list of ints (no range check: see fr_first_unreduced). */
static PyObject *py_fr_unpack(PyObject *self, PyObject *arg) {
    (void)self;
    Py_buffer in;
    if (PyObject_GetBuffer(arg, &in, PyBUF_SIMPLE) < 0) return NULL;
    PyObject *res = NULL;
    if (in.len % 32) {
        raise_msg("fr_unpack: %zd bytes is not a whole number of words", in.len);
    } else if ((res = PyList_New(in.len / 32)) != NULL) {
        const uint8_t *p = in.buf;
        for (Py_ssize_t i = 0; i < in.len / 32; i++) {
            fe v;
            fe_load(&v, p + 32 * i);
            PyObject *o = fr_to_py(&v);
            if (!o) {
                Py_CLEAR(res);
                break;
            }
            PyList_SET_ITEM(res, i, o);
        }
    }
    PyBuffer_Release(&in);
    return res;
}

/* zkey_coefs_split(entries, domain, nvars) -> ((rows, cols, coeffs) of A, same of B) */
static PyObject *py_zkey_coefs_split(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer in;
    unsigned int domain, nvars;
    if (!PyArg_ParseTuple(args, "y*II", &in, &domain, &nvars)) return NULL;
    PyObject *res = NULL, *b[6] = {NULL};
    size_t m = (size_t)in.len / 44, counts[2], bad = 0;
    bn_status st;
    if (in.len % 44) {
        raise_msg("%zd bytes is not a whole number of coefficients", in.len);
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    st = bn_zkey_coefs_count(in.buf, m, domain, nvars, counts, &bad);
    Py_END_ALLOW_THREADS
    if (st != BN_OK) {
        raise_msg("coefficient #%zu is out of range", bad);
        goto done;
    }
    uint8_t *rows[2], *cols[2], *coeffs[2];
    for (int k = 0; k < 2; k++) {
        b[3 * k] = PyBytes_FromStringAndSize(NULL, 4 * counts[k]);
        b[3 * k + 1] = PyBytes_FromStringAndSize(NULL, 4 * counts[k]);
        b[3 * k + 2] = PyBytes_FromStringAndSize(NULL, 32 * counts[k]);
        if (!b[3 * k] || !b[3 * k + 1] || !b[3 * k + 2]) goto done;
        rows[k] = (uint8_t *)PyBytes_AS_STRING(b[3 * k]);
        cols[k] = (uint8_t *)PyBytes_AS_STRING(b[3 * k + 1]);
        coeffs[k] = (uint8_t *)PyBytes_AS_STRING(b[3 * k + 2]);
    }
    Py_BEGIN_ALLOW_THREADS
    bn_zkey_coefs_split(in.buf, m, rows, cols, coeffs);
    Py_END_ALLOW_THREADS
    res = Py_BuildValue("(OOO)(OOO)", b[0], b[1], b[2], b[3], b[4], b[5]);
done:
    for (int k = 0; k < 6; k++) Py_XDECREF(b[k]);
    PyBuffer_Release(&in);
    return res;
}

/* zkey_coefs_join(a_rows, a_cols, a_coeffs, b_rows, b_cols, b_coeffs) -> entries */
static PyObject *py_zkey_coefs_join(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer v[6];
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]))
        return NULL;
    PyObject *res = NULL;
    size_t counts[2];
    int ok = 1;
    for (int k = 0; k < 2; k++) {
        counts[k] = (size_t)v[3 * k].len / 4;
        if (v[3 * k].len % 4 || v[3 * k + 1].len != v[3 * k].len ||
            (size_t)v[3 * k + 2].len != 32 * counts[k]) ok = 0;
    }
    if (!ok) {
        raise_msg("zkey_coefs_join: row, column and coefficient arrays disagree");
    } else if ((res = PyBytes_FromStringAndSize(NULL, 44 * (counts[0] + counts[1]))) != NULL) {
        const uint8_t *rows[2] = {v[0].buf, v[3].buf}, *cols[2] = {v[1].buf, v[4].buf};
        const uint8_t *coeffs[2] = {v[2].buf, v[5].buf};
        size_t bad = 0;
        bn_status st;
        Py_BEGIN_ALLOW_THREADS
        st = bn_zkey_coefs_join(rows, cols, coeffs, counts, (uint8_t *)PyBytes_AS_STRING(res),
                                &bad);
        Py_END_ALLOW_THREADS
        if (st != BN_OK) {
            Py_CLEAR(res);
            raise_msg("coefficient #%zu is not reduced mod r", bad);
        }
    }
    for (int k = 0; k < 6; k++) PyBuffer_Release(&v[k]);
    return res;
}

/* scale_g1/g2(points, first32, step32[, threads]) -> (first * step^i) * points[i] */
typedef bn_status (*scale_fn)(const uint8_t *, uint8_t *, size_t, const uint8_t *,
                              const uint8_t *, int, size_t *);

static PyObject *do_scale(PyObject *args, size_t psize, scale_fn fn, const char *name) {
    Py_buffer pts, first, step;
    int threads = 0;
    if (!PyArg_ParseTuple(args, "y*y*y*|i", &pts, &first, &step, &threads)) return NULL;
    PyObject *res = NULL;
    if ((size_t)pts.len % psize || first.len != 32 || step.len != 32) {
        raise_msg("%s: %zd bytes is not a whole number of points (or a scalar is not 32 "
                  "bytes)", name, pts.len);
    } else if ((res = PyBytes_FromStringAndSize(NULL, pts.len)) != NULL) {
        size_t bad = 0;
        bn_status st;
        threads = pick_threads(threads);
        Py_BEGIN_ALLOW_THREADS
        st = fn(pts.buf, (uint8_t *)PyBytes_AS_STRING(res), (size_t)pts.len / psize, first.buf,
                step.buf, threads, &bad);
        Py_END_ALLOW_THREADS
        if (st == BN_ERR_ARG) {
            Py_CLEAR(res);
            raise_msg("%s: the scalars must be reduced mod r", name);
        } else if (st != BN_OK) {
            Py_CLEAR(res);
            raise_status(st, bad, name, "point");
        }
    }
    PyBuffer_Release(&pts);
    PyBuffer_Release(&first);
    PyBuffer_Release(&step);
    return res;
}

static PyObject *py_scale_g1(PyObject *self, PyObject *args) {
    (void)self;
    return do_scale(args, 64, bn_scale_g1, "scale_g1");
}

static PyObject *py_scale_g2(PyObject *self, PyObject *args) {
    (void)self;
    return do_scale(args, 128, bn_scale_g2, "scale_g2");
}

/* g1_sub_many(a, b[, threads]) -> a[i] - b[i] over equal-length G1 point buffers */
static PyObject *py_g1_sub_many(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer a, b;
    int threads = 0;
    if (!PyArg_ParseTuple(args, "y*y*|i", &a, &b, &threads)) return NULL;
    PyObject *res = NULL;
    if (a.len % 64 || b.len != a.len) {
        raise_msg("g1_sub_many: %zd and %zd bytes are not two equal whole numbers of "
                  "points", a.len, b.len);
    } else if ((res = PyBytes_FromStringAndSize(NULL, a.len)) != NULL) {
        size_t bad = 0;
        bn_status st;
        threads = pick_threads(threads);
        Py_BEGIN_ALLOW_THREADS
        st = bn_g1_sub_many(a.buf, b.buf, (uint8_t *)PyBytes_AS_STRING(res),
                            (size_t)a.len / 64, threads, &bad);
        Py_END_ALLOW_THREADS
        if (st != BN_OK) {
            Py_CLEAR(res);
            raise_status(st, bad >> 1, bad & 1 ? "g1_sub_many (b)" : "g1_sub_many (a)",
                         "point");
        }
    }
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    return res;
}

/* sparse_msm_g1/g2(acc, points, rows, cols, coeffs[, threads])
 *   -> acc[c] + sum over entries (r, c, v) of v * points[r] */
typedef bn_status (*sparse_fn)(const uint8_t *, size_t, const uint8_t *, size_t, const uint8_t *,
                               const uint8_t *, const uint8_t *, size_t, uint8_t *, int,
                               size_t *, int *);

static PyObject *do_sparse_msm(PyObject *args, size_t psize, sparse_fn fn, const char *name) {
    Py_buffer v[5];
    int threads = 0;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*|i", &v[0], &v[1], &v[2], &v[3], &v[4], &threads))
        return NULL;
    PyObject *res = NULL;
    size_t m = (size_t)v[2].len / 4;
    if ((size_t)v[0].len % psize || (size_t)v[1].len % psize) {
        raise_msg("%s: %zd and %zd bytes are not whole numbers of points", name, v[0].len,
                  v[1].len);
    } else if (v[2].len % 4 || v[3].len != v[2].len || (size_t)v[4].len != 32 * m) {
        raise_msg("%s: row, column and coefficient arrays disagree", name);
    } else if ((res = PyBytes_FromStringAndSize(NULL, v[0].len)) != NULL) {
        size_t bad = 0;
        int what = 2;
        bn_status st;
        threads = pick_threads(threads);
        Py_BEGIN_ALLOW_THREADS
        st = fn(v[0].buf, (size_t)v[0].len / psize, v[1].buf, (size_t)v[1].len / psize,
                v[2].buf, v[3].buf, v[4].buf, m, (uint8_t *)PyBytes_AS_STRING(res), threads,
                &bad, &what);
        Py_END_ALLOW_THREADS
        if (st != BN_OK) {
            Py_CLEAR(res);
            if (st == BN_ERR_SCALAR) raise_msg("%s: coefficient #%zu is not reduced mod r", name, bad);
            else raise_status(st, bad, name, what == 0 ? "accumulator point" : "point");
        }
    }
    for (int k = 0; k < 5; k++) PyBuffer_Release(&v[k]);
    return res;
}

static PyObject *py_sparse_msm_g1(PyObject *self, PyObject *args) {
    (void)self;
    return do_sparse_msm(args, 64, bn_sparse_msm_g1, "sparse_msm_g1");
}

static PyObject *py_sparse_msm_g2(PyObject *self, PyObject *args) {
    (void)self;
    return do_sparse_msm(args, 128, bn_sparse_msm_g2, "sparse_msm_g2");
}

/* ---- constraint-system packing (zk.r1cs.pack_matrix) --------------------------
 * pack_lcs walks the R1CS rows (tuples of {wire: coeff} dicts) and returns matrix m as
 * sorted (rows, wires, coeffs) byte arrays, or None on anything unusual (a non-int
 * key, a coefficient that is not an int in [0, r)) so that the Python specification
 * handles it. */
/* An exact int 0 <= v < r as a raw value; 0 for anything else (Python decides). */
static int long_to_fe(PyObject *v, fe *out) {
    if (!PyLong_CheckExact(v)) return 0;
    int overflow = 0;
    long long small = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (!overflow) {
        if (small == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            return 0;
        }
        if (small < 0) return 0;
        out->l[0] = (uint64_t)small;
        out->l[1] = out->l[2] = out->l[3] = 0;
        return 1;
    }
    unsigned char buf[32];
    if (LONG_TO_BYTES(v, buf) < 0) {
        PyErr_Clear();
        return 0;
    }
    return fr_load_checked(out, buf);
}

/* ---- pack_lcs ------------------------------------------------------------ */
typedef struct {
    uint32_t wire;
    fe c;
} term;

static int term_cmp(const void *x, const void *y) {
    uint32_t a = ((const term *)x)->wire, b = ((const term *)y)->wire;
    return (a > b) - (a < b);
}

typedef struct {
    uint8_t *p;
    size_t len, cap;
} buf_t;

static int buf_put(buf_t *b, const void *src, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        uint8_t *q = realloc(b->p, cap);
        if (!q) return 0;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
    return 1;
}

static void put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* pack_lcs(constraints, m) -> (rows, wires, coeffs), or None to use the Python packer. */
static PyObject *py_pack_lcs(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *cons;
    int m;
    if (!PyArg_ParseTuple(args, "O!i", &PyList_Type, &cons, &m)) return NULL;
    if (m < 0 || m > 2) return PyErr_Format(PyExc_ValueError, "pack_lcs: matrix index 0..2");
    buf_t rows = {0}, wires = {0}, coeffs = {0};
    term *terms = NULL;
    size_t tcap = 0;
    int ok = 1;
    Py_ssize_t n = PyList_GET_SIZE(cons);
    if ((uint64_t)n > 0xffffffffULL) ok = 0;
    for (Py_ssize_t k = 0; ok && k < n; k++) {
        PyObject *row = PyList_GET_ITEM(cons, k);
        if (!PyTuple_CheckExact(row) || PyTuple_GET_SIZE(row) != 3) {
            ok = 0;
            break;
        }
        PyObject *lc = PyTuple_GET_ITEM(row, m);
        if (!PyDict_CheckExact(lc)) {
            ok = 0;
            break;
        }
        size_t nt = (size_t)PyDict_GET_SIZE(lc), t = 0;
        if (nt == 0) continue;
        if (nt > tcap) {
            term *q = realloc(terms, nt * sizeof(term));
            if (!q) {
                ok = 0;
                break;
            }
            terms = q;
            tcap = nt;
        }
        Py_ssize_t pos = 0;
        PyObject *key, *val;
        while (PyDict_Next(lc, &pos, &key, &val)) {
            if (!PyLong_CheckExact(key)) {
                ok = 0;
                break;
            }
            unsigned long long wk = PyLong_AsUnsignedLongLong(key);
            if (PyErr_Occurred() || wk > 0xffffffffULL) {
                PyErr_Clear();
                ok = 0;
                break;
            }
            fe c;
            if (!long_to_fe(val, &c)) { /* negative or >= r: Python reduces it */
                ok = 0;
                break;
            }
            if (fe_is_zero(&c)) continue;
            terms[t].wire = (uint32_t)wk;
            terms[t].c = c;
            t++;
        }
        if (!ok) break;
        if (t > 1) qsort(terms, t, sizeof(term), term_cmp);
        for (size_t j = 0; j < t && ok; j++) {
            uint8_t r4[4], w4[4], c32[32];
            put_u32(r4, (uint32_t)k);
            put_u32(w4, terms[j].wire);
            fe_store(c32, &terms[j].c);
            ok = buf_put(&rows, r4, 4) && buf_put(&wires, w4, 4) && buf_put(&coeffs, c32, 32);
        }
    }
    free(terms);
    PyObject *res = NULL;
    if (ok) {
        res = Py_BuildValue("(y#y#y#)", rows.p ? (char *)rows.p : "", (Py_ssize_t)rows.len,
                            wires.p ? (char *)wires.p : "", (Py_ssize_t)wires.len,
                            coeffs.p ? (char *)coeffs.p : "", (Py_ssize_t)coeffs.len);
    } else {
        res = Py_None;
        Py_INCREF(res);
    }
    free(rows.p);
    free(wires.p);
    free(coeffs.p);
    return res;
}

/* lc_rows_encode(constraints, zkey) -> bytes, or None (the Python encoder decides).
 * zkey false: the .r1cs constraint section: per row, for A, B and C, u32 count then
 * (u32 wire, 32-byte coefficient) in dict order. zkey true: the .zkey section-4 entries
 * of A and B, row by row (A's terms, then B's, in dict order): u32 matrix, u32 row,
 * u32 wire, coefficient * 2^512 mod r. None on a non-int wire or a coefficient that is
 * not an int in [0, r). */
static PyObject *py_lc_rows_encode(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *cons;
    int zkey;
    if (!PyArg_ParseTuple(args, "O!p", &PyList_Type, &cons, &zkey)) return NULL;
    buf_t out = {0};
    int ok = 1;
    Py_ssize_t n = PyList_GET_SIZE(cons);
    if ((uint64_t)n > 0xffffffffULL) ok = 0;
    for (Py_ssize_t k = 0; ok && k < n; k++) {
        PyObject *row = PyList_GET_ITEM(cons, k);
        if (!PyTuple_CheckExact(row) || PyTuple_GET_SIZE(row) != 3) {
            ok = 0;
            break;
        }
        for (int m = 0; ok && m < (zkey ? 2 : 3); m++) {
            PyObject *lc = PyTuple_GET_ITEM(row, m);
            if (!PyDict_CheckExact(lc)) {
                ok = 0;
                break;
            }
            uint8_t e[44];
            if (!zkey) {
                put_u32(e, (uint32_t)PyDict_GET_SIZE(lc));
                if (!buf_put(&out, e, 4)) ok = 0;
            }
            Py_ssize_t pos = 0;
            PyObject *key, *val;
            while (ok && PyDict_Next(lc, &pos, &key, &val)) {
                unsigned long long wk = PyLong_CheckExact(key) ? PyLong_AsUnsignedLongLong(key)
                                                                : 0x100000000ULL;
                fe c;
                if (PyErr_Occurred() || wk > 0xffffffffULL || !long_to_fe(val, &c)) {
                    PyErr_Clear();
                    ok = 0;
                    break;
                }
                if (zkey) {
                    fr_to_mont(&c, &c); /* c -> c R */
                    fr_to_mont(&c, &c); /* c R -> c R^2 */
                    put_u32(e, (uint32_t)m);
                    put_u32(e + 4, (uint32_t)k);
                    put_u32(e + 8, (uint32_t)wk);
                    fe_store(e + 12, &c);
                    ok = buf_put(&out, e, 44);
                } else {
                    put_u32(e, (uint32_t)wk);
                    fe_store(e + 4, &c);
                    ok = buf_put(&out, e, 36);
                }
            }
        }
    }
    PyObject *res;
    if (ok) {
        res = PyBytes_FromStringAndSize(out.p ? (char *)out.p : "", (Py_ssize_t)out.len);
    } else {
        res = Py_None;
        Py_INCREF(res);
    }
    free(out.p);
    return res;
}


/* ---- witness solver and R1CS check over the compiled program ------------------
 * witness_solve(program, w, start) replays zk.witness's steps from start, in place:
 * "mul", "lc" and the declarative hints ("hint" steps whose function is one of the
 * kinds bits, divmod, inverse, copy). Values are kept in Montgomery form for the whole
 * call (each wire converted once, coefficients through a small cache keyed by the int
 * object) and written back to the list before returning. It returns the index of the
 * first step left to Python: a Python-callable hint, an unusual object, or a read of
 * a wire that holds no canonical value (e.g. an Output not yet assigned), so that
 * errors are raised by the Python specification. r1cs_rows_check(constraints, w, start)
 * returns the index of the first row not shown to hold, the same way. */
typedef struct {
    PyObject *key;
    fe mont;
    int one;
} coef_slot;

#define COEF_SLOTS 65536
#define LC_SLOTS 4096

typedef struct {
    PyObject *key;
    size_t epoch;
    fe val;
} lc_slot;

/* wire state flags */
#define ST_VALUE 1   /* val holds the wire's value */
#define ST_WRITTEN 2 /* written here: copied back to the list at the end */
#define ST_BAD 4     /* the list holds no canonical value (None, >= r, not an int) */
#define ST_READ 8    /* read by some step: writing it later invalidates the LC memo */

typedef struct {
    PyObject *w;
    Py_ssize_t n;
    fe *val;      /* Montgomery values of loaded or written wires */
    uint8_t *st;  /* ST_* flags per wire */
    coef_slot *cc;
    lc_slot *lm;  /* memo of evaluated LCs (keyed by the dict), valid within an epoch */
    size_t epoch;
    PyObject **rec; /* witness_solve_check: per wire, the (a, b) dicts of the "mul" step
                       that last wrote it (NULL otherwise) */
} solver_ctx;

static void ctx_free(solver_ctx *c) {
    free(c->val);
    free(c->st);
    free(c->cc);
    free(c->lm);
    free(c->rec);
}

static int ctx_init(solver_ctx *c, PyObject *w) {
    c->w = w;
    c->n = PyList_GET_SIZE(w);
    c->val = malloc(sizeof(fe) * (size_t)(c->n ? c->n : 1));
    c->st = calloc((size_t)(c->n ? c->n : 1), 1);
    c->cc = calloc(COEF_SLOTS, sizeof(coef_slot));
    c->lm = calloc(LC_SLOTS, sizeof(lc_slot));
    c->epoch = 1;
    c->rec = NULL;
    if (!c->val || !c->st || !c->cc || !c->lm) {
        ctx_free(c);
        PyErr_NoMemory();
        return 0;
    }
    return 1;
}

/* Writes the wires computed here back into the list (canonical ints). */
static int ctx_finish(solver_ctx *c) {
    int ok = 1;
    for (Py_ssize_t k = 0; ok && k < c->n; k++) {
        if (!(c->st[k] & ST_WRITTEN)) continue;
        fe raw;
        fr_from_mont(&raw, &c->val[k]);
        PyObject *o = fr_to_py(&raw);
        if (!o) ok = 0;
        else PyList_SetItem(c->w, k, o);
    }
    ctx_free(c);
    return ok;
}

static int ctx_wire(solver_ctx *c, PyObject *key, Py_ssize_t *k) {
    if (!PyLong_CheckExact(key)) return 0;
    *k = PyLong_AsSsize_t(key);
    if (*k < 0 || *k >= c->n) {
        PyErr_Clear();
        return 0;
    }
    return 1;
}

static const fe *ctx_get(solver_ctx *c, Py_ssize_t k) {
    uint8_t s = c->st[k];
    if (!(s & (ST_VALUE | ST_BAD))) {
        fe v;
        if (fr_from_py(PyList_GET_ITEM(c->w, k), &v)) {
            fr_to_mont(&c->val[k], &v);
            s |= ST_VALUE;
        } else {
            s |= ST_BAD;
        }
    }
    c->st[k] = s | ST_READ;
    return (s & ST_BAD) ? NULL : &c->val[k];
}

/* A coefficient in Montgomery form; *one = 1 when it is exactly 1. */
static int ctx_coef(solver_ctx *c, PyObject *v, fe *out, int *one) {
    size_t h = (((size_t)v >> 4) ^ ((size_t)v >> 20)) & (COEF_SLOTS - 1);
    if (c->cc[h].key == v) {
        *out = c->cc[h].mont;
        *one = c->cc[h].one;
        return 1;
    }
    fe raw;
    if (!fr_from_py(v, &raw)) return 0;
    *one = (raw.l[1] | raw.l[2] | raw.l[3]) == 0 && raw.l[0] == 1;
    fr_to_mont(out, &raw);
    c->cc[h].key = v; /* the program holds a reference for the whole call */
    c->cc[h].mont = *out;
    c->cc[h].one = *one;
    return 1;
}

/* sum coeff * w over an LC dict, Montgomery; 0 if anything is unusual. */
static int ctx_lc(solver_ctx *c, PyObject *lc, fe *out) {
    if (!PyDict_CheckExact(lc)) return 0;
    lc_slot *memo = &c->lm[(((size_t)lc >> 4) ^ ((size_t)lc >> 16)) & (LC_SLOTS - 1)];
    if (memo->key == lc && memo->epoch == c->epoch) {
        *out = memo->val;
        return 1;
    }
    Py_ssize_t pos = 0, k;
    PyObject *key, *val;
    fe acc = {{0, 0, 0, 0}};
    while (PyDict_Next(lc, &pos, &key, &val)) {
        if (!ctx_wire(c, key, &k)) return 0;
        const fe *x = ctx_get(c, k);
        fe co;
        int one;
        if (!x || !ctx_coef(c, val, &co, &one)) return 0;
        if (one) {
            fr_add(&acc, &acc, x);
        } else {
            fe t;
            fr_mul(&t, x, &co);
            fr_add(&acc, &acc, &t);
        }
    }
    *out = acc;
    memo->key = lc;
    memo->epoch = c->epoch;
    memo->val = acc;
    return 1;
}

static int ctx_set(solver_ctx *c, PyObject *key, const fe *mont) {
    Py_ssize_t k;
    if (!ctx_wire(c, key, &k)) return 0;
    if (c->st[k] & ST_READ) c->epoch++; /* a value read before changes: forget the memo */
    c->val[k] = *mont;
    c->st[k] = (uint8_t)((c->st[k] & ~ST_BAD) | ST_VALUE | ST_WRITTEN);
    if (c->rec) c->rec[2 * k] = c->rec[2 * k + 1] = NULL;
    return 1;
}

/* x >> i & 1 for a raw value */
static int raw_bit(const fe *x, int i) { return (int)((x->l[i >> 6] >> (i & 63)) & 1); }

/* q = x / d, rem = x % d for raw 256-bit values, d != 0 (binary long division). */
static void raw_divmod(const fe *x, const fe *d, fe *q, fe *rem) {
    fe r = {{0, 0, 0, 0}}, qq = {{0, 0, 0, 0}};
    for (int i = 255; i >= 0; i--) {
        /* r = (r << 1) | bit i of x; r < d < 2^254 so no overflow */
        r.l[3] = (r.l[3] << 1) | (r.l[2] >> 63);
        r.l[2] = (r.l[2] << 1) | (r.l[1] >> 63);
        r.l[1] = (r.l[1] << 1) | (r.l[0] >> 63);
        r.l[0] = (r.l[0] << 1) | (uint64_t)raw_bit(x, i);
        if (!fe_lt(&r, d->l)) {
            uint64_t borrow = 0;
            for (int j = 0; j < 4; j++) {
                u128 t = (u128)r.l[j] - d->l[j] - borrow;
                r.l[j] = (uint64_t)t;
                borrow = (uint64_t)(t >> 64) & 1;
            }
            qq.l[i >> 6] |= (uint64_t)1 << (i & 63);
        }
    }
    *q = qq;
    *rem = r;
}

static PyObject *s_mul, *s_lc, *s_hint, *s_bits, *s_divmod, *s_inverse, *s_copy;

static int solver_strings(void) {
    if (s_mul) return 1;
    s_mul = PyUnicode_InternFromString("mul");
    s_lc = PyUnicode_InternFromString("lc");
    s_hint = PyUnicode_InternFromString("hint");
    s_bits = PyUnicode_InternFromString("bits");
    s_divmod = PyUnicode_InternFromString("divmod");
    s_inverse = PyUnicode_InternFromString("inverse");
    s_copy = PyUnicode_InternFromString("copy");
    return s_mul && s_lc && s_hint && s_bits && s_divmod && s_inverse && s_copy;
}

/* One declarative hint step; 1 done, 0 left to Python. */
static int solve_hint(solver_ctx *c, PyObject *step) {
    if (PyTuple_GET_SIZE(step) != 5) return 0;
    PyObject *outs = PyTuple_GET_ITEM(step, 1), *kind = PyTuple_GET_ITEM(step, 2),
             *ins = PyTuple_GET_ITEM(step, 3);
    if (!PyList_CheckExact(outs) || !PyList_CheckExact(ins) || !PyUnicode_CheckExact(kind))
        return 0;
    Py_ssize_t no = PyList_GET_SIZE(outs), ni = PyList_GET_SIZE(ins);
    fe x, raw;
    if (ni < 1 || !ctx_lc(c, PyList_GET_ITEM(ins, 0), &x)) return 0;
    if (is_kind(kind, s_bits)) {
        if (ni != 1 || no > 256) return 0;
        fr_from_mont(&raw, &x);
        for (Py_ssize_t i = 0; i < no; i++) {
            fe b = raw_bit(&raw, (int)i) ? R_ONE : (fe){{0, 0, 0, 0}};
            if (!ctx_set(c, PyList_GET_ITEM(outs, i), &b)) return 0;
        }
        return 1;
    }
    if (is_kind(kind, s_inverse) || is_kind(kind, s_copy)) {
        if (ni != 1 || no != 1) return 0;
        if (is_kind(kind, s_inverse)) fr_inv(&x, &x); /* 0 stays 0, as in Python */
        return ctx_set(c, PyList_GET_ITEM(outs, 0), &x);
    }
    if (is_kind(kind, s_divmod)) {
        fe d, draw, q, rem;
        if (ni != 2 || no != 2 || !ctx_lc(c, PyList_GET_ITEM(ins, 1), &d)) return 0;
        fr_from_mont(&raw, &x);
        fr_from_mont(&draw, &d);
        if (fe_is_zero(&draw)) {
            q = (fe){{0, 0, 0, 0}};
            rem = q;
        } else {
            raw_divmod(&raw, &draw, &q, &rem);
            fr_to_mont(&q, &q); /* q <= x < r, rem < d < r: already reduced */
            fr_to_mont(&rem, &rem);
        }
        return ctx_set(c, PyList_GET_ITEM(outs, 0), &q) &&
               ctx_set(c, PyList_GET_ITEM(outs, 1), &rem);
    }
    return 0;
}

/* Replays steps from i; the index of the first step left to Python. */
static Py_ssize_t solve_run(solver_ctx *c, PyObject *prog, Py_ssize_t i) {
    if (i < 0) i = 0;
    for (; i < PyList_GET_SIZE(prog); i++) {
        PyObject *step = PyList_GET_ITEM(prog, i);
        if (!PyTuple_CheckExact(step) || PyTuple_GET_SIZE(step) < 3) break;
        PyObject *kind = PyTuple_GET_ITEM(step, 0);
        fe a, b;
        if (PyTuple_GET_SIZE(step) == 4 && is_kind(kind, s_mul)) {
            PyObject *la = PyTuple_GET_ITEM(step, 2), *lb = PyTuple_GET_ITEM(step, 3);
            Py_ssize_t k;
            if (!ctx_lc(c, la, &a) || !ctx_lc(c, lb, &b)) break;
            fr_mul(&a, &a, &b);
            if (!ctx_set(c, PyTuple_GET_ITEM(step, 1), &a)) break;
            if (c->rec && ctx_wire(c, PyTuple_GET_ITEM(step, 1), &k)) {
                c->rec[2 * k] = la;
                c->rec[2 * k + 1] = lb;
            }
        } else if (PyTuple_GET_SIZE(step) == 3 && is_kind(kind, s_lc)) {
            if (!ctx_lc(c, PyTuple_GET_ITEM(step, 2), &a)) break;
            if (!ctx_set(c, PyTuple_GET_ITEM(step, 1), &a)) break;
        } else if (is_kind(kind, s_hint)) {
            if (!solve_hint(c, step)) break;
        } else {
            break;
        }
    }
    return i;
}

/* Row (a, b, {out: 1}) whose out was written by a "mul" step over these same a and b
 * dicts, with no value read by the solver changed afterwards (epoch 1): out = a * b
 * by construction, so the row holds. */
static int row_implied(solver_ctx *c, PyObject *a, PyObject *b, PyObject *cc) {
    if (!c->rec || c->epoch != 1 || !PyDict_CheckExact(cc) || PyDict_GET_SIZE(cc) != 1)
        return 0;
    Py_ssize_t pos = 0, k;
    PyObject *key, *val;
    if (!PyDict_Next(cc, &pos, &key, &val) || !ctx_wire(c, key, &k)) return 0;
    if (c->rec[2 * k] != a || c->rec[2 * k + 1] != b || !PyLong_CheckExact(val)) return 0;
    int overflow = 0;
    long one = PyLong_AsLongAndOverflow(val, &overflow);
    return !overflow && one == 1;
}

/* Index of the first row from i not shown to hold. */
static Py_ssize_t check_run(solver_ctx *c, PyObject *cons, Py_ssize_t i) {
    if (i < 0) i = 0;
    for (; i < PyList_GET_SIZE(cons); i++) {
        PyObject *row = PyList_GET_ITEM(cons, i);
        if (!PyTuple_CheckExact(row) || PyTuple_GET_SIZE(row) != 3) break;
        PyObject *la = PyTuple_GET_ITEM(row, 0), *lb = PyTuple_GET_ITEM(row, 1),
                 *lc = PyTuple_GET_ITEM(row, 2);
        if (row_implied(c, la, lb, lc)) continue;
        fe a, b, cc;
        if (!ctx_lc(c, la, &a) || !ctx_lc(c, lb, &b) || !ctx_lc(c, lc, &cc)) break;
        fr_mul(&a, &a, &b);
        if (!fe_eq(&a, &cc)) break;
    }
    return i;
}

static PyObject *py_witness_solve(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *prog, *w;
    Py_ssize_t i;
    if (!PyArg_ParseTuple(args, "O!O!n", &PyList_Type, &prog, &PyList_Type, &w, &i)) return NULL;
    if (!solver_strings()) return NULL;
    solver_ctx c;
    if (!ctx_init(&c, w)) return NULL;
    i = solve_run(&c, prog, i);
    if (!ctx_finish(&c)) return NULL;
    return PyLong_FromSsize_t(i);
}

static PyObject *py_r1cs_rows_check(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *cons, *w;
    Py_ssize_t i;
    if (!PyArg_ParseTuple(args, "O!O!n", &PyList_Type, &cons, &PyList_Type, &w, &i)) return NULL;
    solver_ctx c;
    if (!ctx_init(&c, w)) return NULL;
    i = check_run(&c, cons, i);
    ctx_free(&c);
    return PyLong_FromSsize_t(i);
}

/* witness_solve_check(program, constraints, w) -> (steps done, first row not shown to
 * hold): witness_solve from 0 and, when every step ran here, r1cs_rows_check from 0 in
 * the same Montgomery state (rows implied by a "mul" step are not re-evaluated);
 * otherwise (steps done, 0). */
static PyObject *py_witness_solve_check(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *prog, *cons, *w;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyList_Type, &prog, &PyList_Type, &cons, &PyList_Type,
                          &w)) return NULL;
    if (!solver_strings()) return NULL;
    solver_ctx c;
    if (!ctx_init(&c, w)) return NULL;
    c.rec = calloc(2 * (size_t)(c.n ? c.n : 1), sizeof(PyObject *));
    if (!c.rec) {
        ctx_free(&c);
        return PyErr_NoMemory();
    }
    Py_ssize_t i = solve_run(&c, prog, 0), row = 0;
    if (i == PyList_GET_SIZE(prog)) row = check_run(&c, cons, 0);
    if (!ctx_finish(&c)) return NULL;
    return Py_BuildValue("(nn)", i, row);
}

/* ---- LC tables for the compiled-circuit cache (zk.cache) ------------------------
 * lc_table_pack(lcs) -> (pool, table) or None: every {wire: coeff} dict of lcs as
 * u32 n, then n pairs (u32 wire, u32 index into pool), pool holding each distinct
 * coefficient once as a 32-byte little-endian word (< r). None on anything unusual.
 * lc_table_unpack(pool, table, n, num_wires) -> list of n dicts, sharing one int
 * object per wire and per pool entry; ValueError on any inconsistency. */
typedef struct {
    fe v;
    uint32_t idx;
    int used;
} pool_slot;

typedef struct {
    pool_slot *s;
    size_t cap, n;
    buf_t out;
} pool_t;

static size_t pool_hash(const fe *v) {
    uint64_t h = v->l[0] * 0x9e3779b97f4a7c15ULL ^ v->l[1] * 0xc2b2ae3d27d4eb4fULL ^
                 v->l[2] * 0x165667b19e3779f9ULL ^ v->l[3];
    return (size_t)(h ^ (h >> 29));
}

static int pool_add(pool_t *p, const fe *v, uint32_t *idx) {
    if (2 * (p->n + 1) > p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 1024;
        pool_slot *s = calloc(cap, sizeof(pool_slot));
        if (!s) return 0;
        for (size_t i = 0; i < p->cap; i++) {
            if (!p->s[i].used) continue;
            size_t h = pool_hash(&p->s[i].v) & (cap - 1);
            while (s[h].used) h = (h + 1) & (cap - 1);
            s[h] = p->s[i];
        }
        free(p->s);
        p->s = s;
        p->cap = cap;
    }
    size_t h = pool_hash(v) & (p->cap - 1);
    while (p->s[h].used) {
        if (fe_eq(&p->s[h].v, v)) {
            *idx = p->s[h].idx;
            return 1;
        }
        h = (h + 1) & (p->cap - 1);
    }
    if (p->n >= 0xffffffffULL) return 0;
    p->s[h].used = 1;
    p->s[h].v = *v;
    p->s[h].idx = (uint32_t)p->n;
    *idx = (uint32_t)p->n++;
    uint8_t b[32];
    fe_store(b, v);
    return buf_put(&p->out, b, 32);
}

static PyObject *py_lc_table_pack(PyObject *self, PyObject *arg) {
    (void)self;
    if (!PyList_CheckExact(arg)) Py_RETURN_NONE;
    pool_t pool = {0};
    buf_t table = {0};
    int ok = 1;
    for (Py_ssize_t i = 0; ok && i < PyList_GET_SIZE(arg); i++) {
        PyObject *lc = PyList_GET_ITEM(arg, i);
        if (!PyDict_CheckExact(lc)) {
            ok = 0;
            break;
        }
        uint8_t b[8];
        put_u32(b, (uint32_t)PyDict_GET_SIZE(lc));
        if (!buf_put(&table, b, 4)) ok = 0;
        Py_ssize_t pos = 0;
        PyObject *key, *val;
        while (ok && PyDict_Next(lc, &pos, &key, &val)) {
            fe c;
            uint32_t idx;
            if (!PyLong_CheckExact(key) || !long_to_fe(val, &c)) {
                ok = 0;
                break;
            }
            unsigned long long wk = PyLong_AsUnsignedLongLong(key);
            if (PyErr_Occurred() || wk > 0xffffffffULL) {
                PyErr_Clear();
                ok = 0;
                break;
            }
            if (!pool_add(&pool, &c, &idx)) {
                ok = 0;
                break;
            }
            put_u32(b, (uint32_t)wk);
            put_u32(b + 4, idx);
            ok = buf_put(&table, b, 8);
        }
    }
    PyObject *res;
    if (ok) {
        res = Py_BuildValue("(y#y#)", pool.out.p ? (char *)pool.out.p : "",
                            (Py_ssize_t)pool.out.len, table.p ? (char *)table.p : "",
                            (Py_ssize_t)table.len);
    } else {
        res = Py_None;
        Py_INCREF(res);
    }
    free(pool.s);
    free(pool.out.p);
    free(table.p);
    return res;
}

static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static PyObject *py_lc_table_unpack(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer pool, table;
    Py_ssize_t n, nw;
    if (!PyArg_ParseTuple(args, "y*y*nn", &pool, &table, &n, &nw)) return NULL;
    PyObject *res = NULL, *coefs = NULL;
    PyObject **wires = NULL;
    const uint8_t *t = table.buf;
    size_t tl = (size_t)table.len, pos = 0, np = (size_t)pool.len / 32;
    if (pool.len % 32 || n < 0 || nw < 0) {
        PyErr_SetString(PyExc_ValueError, "lc table: bad sizes");
        goto done;
    }
    coefs = PyList_New((Py_ssize_t)np);
    wires = calloc((size_t)(nw ? nw : 1), sizeof(PyObject *));
    res = PyList_New(n);
    if (!coefs || !wires || !res) {
        if (!wires) PyErr_NoMemory();
        Py_CLEAR(res);
        goto done;
    }
    for (size_t k = 0; k < np; k++) {
        fe v;
        if (!fr_load_checked(&v, (const uint8_t *)pool.buf + 32 * k)) {
            PyErr_Format(PyExc_ValueError, "lc table: coefficient %zu is not below r", k);
            Py_CLEAR(res);
            goto done;
        }
        PyObject *o = fr_to_py(&v);
        if (!o) {
            Py_CLEAR(res);
            goto done;
        }
        PyList_SET_ITEM(coefs, (Py_ssize_t)k, o);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (tl - pos < 4) {
            PyErr_Format(PyExc_ValueError, "lc table: truncated at linear combination %zd", i);
            Py_CLEAR(res);
            goto done;
        }
        uint32_t cnt = get_u32(t + pos);
        pos += 4;
        if ((tl - pos) / 8 < cnt) {
            PyErr_Format(PyExc_ValueError, "lc table: linear combination %zd runs past the end", i);
            Py_CLEAR(res);
            goto done;
        }
        PyObject *d = PyDict_New();
        if (!d) {
            Py_CLEAR(res);
            goto done;
        }
        PyList_SET_ITEM(res, i, d);
        for (uint32_t j = 0; j < cnt; j++, pos += 8) {
            uint32_t w = get_u32(t + pos), ci = get_u32(t + pos + 4);
            if ((Py_ssize_t)w >= nw || ci >= np) {
                PyErr_Format(PyExc_ValueError, "lc table: wire or coefficient index out of "
                             "range in linear combination %zd", i);
                Py_CLEAR(res);
                goto done;
            }
            if (!wires[w] && !(wires[w] = PyLong_FromUnsignedLong(w))) {
                Py_CLEAR(res);
                goto done;
            }
            if (PyDict_SetItem(d, wires[w], PyList_GET_ITEM(coefs, ci)) < 0) {
                Py_CLEAR(res);
                goto done;
            }
        }
        if ((size_t)PyDict_GET_SIZE(d) != cnt) {
            PyErr_Format(PyExc_ValueError, "lc table: a wire repeats in linear combination %zd", i);
            Py_CLEAR(res);
            goto done;
        }
    }
    if (pos != tl) {
        PyErr_SetString(PyExc_ValueError, "lc table: trailing bytes");
        Py_CLEAR(res);
    }
done:
    if (wires) {
        for (Py_ssize_t k = 0; k < nw; k++) Py_XDECREF(wires[k]);
        free(wires);
    }
    Py_XDECREF(coefs);
    PyBuffer_Release(&pool);
    PyBuffer_Release(&table);
    return res;
}

/* r1cs_constraints(section2, n_constraints, n_wires[, base]) -> [(A, B, C) per row].
 * Refuses (MalformedInput "offset N: ...") a truncated list, a wire out of range, a
 * duplicated wire in one combination, a coefficient >= r, and trailing bytes. */
static size_t r1cs_base; /* file offset of the section (only for messages; GIL held) */

static PyObject *r1cs_error(size_t off, const char *msg) {
    return raise_msg("offset %zu: %s", r1cs_base + off, msg);
}

static PyObject *r1cs_lc(const uint8_t *p, size_t len, size_t *pos, uint32_t nwires) {
    if (*pos + 4 > len) return r1cs_error(*pos, "constraint list is truncated");
    uint32_t n = (uint32_t)p[*pos] | (uint32_t)p[*pos + 1] << 8 | (uint32_t)p[*pos + 2] << 16 |
                 (uint32_t)p[*pos + 3] << 24;
    *pos += 4;
    if ((uint64_t)n * 36 > len - *pos) {
        char buf[96];
        PyOS_snprintf(buf, sizeof buf, "linear combination of %u terms runs past the section", n);
        return r1cs_error(*pos, buf);
    }
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    for (uint32_t k = 0; k < n; k++, *pos += 36) {
        const uint8_t *t = p + *pos;
        uint32_t w = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
                     (uint32_t)t[3] << 24;
        fe v;
        PyObject *key = NULL, *val = NULL;
        int dup = 0;
        if (w < nwires && fr_load_checked(&v, t + 4)) {
            key = PyLong_FromUnsignedLong(w);
            dup = key ? PyDict_Contains(d, key) : -1;
        }
        if (!key || dup) {
            Py_XDECREF(key);
            Py_DECREF(d);
            if (dup < 0) return NULL;
            return r1cs_error(*pos, "bad term (wire out of range, duplicated or coefficient >= r)");
        }
        val = fr_to_py(&v);
        if (!val || PyDict_SetItem(d, key, val) < 0) {
            Py_DECREF(key);
            Py_XDECREF(val);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(key);
        Py_DECREF(val);
    }
    return d;
}

static PyObject *py_r1cs_constraints(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer in;
    Py_ssize_t ncons, base = 0;
    unsigned int nwires;
    if (!PyArg_ParseTuple(args, "y*nI|n", &in, &ncons, &nwires, &base)) return NULL;
    r1cs_base = base > 0 ? (size_t)base : 0;
    PyObject *rows = ncons >= 0 && (size_t)ncons <= (size_t)in.len / 12 ? PyList_New(ncons) : NULL;
    if (!rows) {
        if (!PyErr_Occurred()) r1cs_error(0, "constraint count does not fit the section");
        PyBuffer_Release(&in);
        return NULL;
    }
    const uint8_t *p = in.buf;
    size_t pos = 0, len = (size_t)in.len;
    for (Py_ssize_t i = 0; i < ncons; i++) {
        PyObject *lc[3] = {NULL, NULL, NULL};
        for (int k = 0; k < 3; k++) {
            lc[k] = r1cs_lc(p, len, &pos, nwires);
            if (!lc[k]) {
                for (int j = 0; j < k; j++) Py_DECREF(lc[j]);
                Py_DECREF(rows);
                PyBuffer_Release(&in);
                return NULL;
            }
        }
        PyObject *row = PyTuple_Pack(3, lc[0], lc[1], lc[2]);
        for (int k = 0; k < 3; k++) Py_DECREF(lc[k]);
        if (!row) {
            Py_DECREF(rows);
            PyBuffer_Release(&in);
            return NULL;
        }
        PyList_SET_ITEM(rows, i, row);
    }
    PyBuffer_Release(&in);
    if (pos != len) {
        char buf[64];
        PyOS_snprintf(buf, sizeof buf, "%zu trailing bytes after the constraints", len - pos);
        Py_DECREF(rows);
        return r1cs_error(pos, buf);
    }
    return rows;
}

/* poseidon_rows(r_f, r_p, constants, mds, inputs): t from the MDS size, one hash per
 * row of t - 1 input words. */
static PyObject *py_poseidon_rows(PyObject *self, PyObject *args) {
    (void)self;
    int r_f, r_p, t = 2;
    Py_buffer cb, mb, ib;
    if (!PyArg_ParseTuple(args, "iiy*y*y*", &r_f, &r_p, &cb, &mb, &ib)) return NULL;
    PyObject *res = NULL;
    while (t < BN_POSEIDON_MAX_T && (Py_ssize_t)(32 * t * t) < mb.len) t++;
    if (mb.len != 32 * t * t || r_f < 0 || r_p < 0 || r_f > 1000 || r_p > 1000 ||
        cb.len != (Py_ssize_t)32 * (r_f + r_p) * t) {
        raise_msg("poseidon_rows: %zd MDS and %zd constant bytes fit no width <= %d",
                  mb.len, cb.len, BN_POSEIDON_MAX_T);
    } else if (ib.len % (32 * (t - 1))) {
        raise_msg("poseidon_rows: %zd input bytes are not whole rows of %d words", ib.len,
                  t - 1);
    } else if ((res = PyBytes_FromStringAndSize(NULL, ib.len / (t - 1))) != NULL) {
        size_t bad = 0;
        bn_status st;
        Py_BEGIN_ALLOW_THREADS
        st = bn_poseidon_rows(t, r_f, r_p, cb.buf, mb.buf, ib.buf,
                              (size_t)ib.len / (32 * (size_t)(t - 1)),
                              (uint8_t *)PyBytes_AS_STRING(res), &bad);
        Py_END_ALLOW_THREADS
        if (st != BN_OK) {
            Py_CLEAR(res);
            raise_status(st, bad, "poseidon_rows", "input");
        }
    }
    PyBuffer_Release(&cb);
    PyBuffer_Release(&mb);
    PyBuffer_Release(&ib);
    return res;
}

static PyMethodDef methods[] = {
    {"poseidon_rows", py_poseidon_rows, METH_VARARGS,
     "poseidon_rows(r_f, r_p, constants, mds, inputs) -> Poseidon of each input row"},
    {"r1cs_constraints", py_r1cs_constraints, METH_VARARGS,
     "r1cs_constraints(section, n_constraints, n_wires[, base]) -> list of (A, B, C) dicts"},
    {"lc_table_pack", py_lc_table_pack, METH_O,
     "lc_table_pack(lcs) -> (pool, table), or None"},
    {"lc_table_unpack", py_lc_table_unpack, METH_VARARGS,
     "lc_table_unpack(pool, table, n, num_wires) -> list of n dicts"},
    {"witness_solve", py_witness_solve, METH_VARARGS,
     "witness_solve(program, w, start) -> first step index left to Python"},
    {"witness_solve_check", py_witness_solve_check, METH_VARARGS,
     "witness_solve_check(program, constraints, w) -> (steps done, first row not shown)"},
    {"r1cs_rows_check", py_r1cs_rows_check, METH_VARARGS,
     "r1cs_rows_check(constraints, w, start) -> first row index not shown to hold"},
    {"lc_rows_encode", py_lc_rows_encode, METH_VARARGS,
     "lc_rows_encode(constraints, zkey) -> .r1cs section 2 or .zkey section-4 entries, or None"},
    {"pack_lcs", py_pack_lcs, METH_VARARGS,
     "pack_lcs(constraints, m) -> (rows, wires, coeffs) of matrix m, or None"},
    {"points_from_lem", py_points_from_lem, METH_VARARGS,
     "points_from_lem(data, g2, check[, threads]) -> canonical points"},
    {"points_to_lem", py_points_to_lem, METH_VARARGS,
     "points_to_lem(data, g2[, threads]) -> LEM (Montgomery) points"},
    {"fr_first_unreduced", py_fr_first_unreduced, METH_O,
     "fr_first_unreduced(words) -> index of the first word >= r, or -1"},
    {"fr_unpack", py_fr_unpack, METH_O, "fr_unpack(words) -> list of ints"},
    {"zkey_coefs_split", py_zkey_coefs_split, METH_VARARGS,
     "zkey_coefs_split(entries, domain, nvars) -> (A matrix, B matrix)"},
    {"zkey_coefs_join", py_zkey_coefs_join, METH_VARARGS,
     "zkey_coefs_join(a_rows, a_cols, a_coeffs, b_rows, b_cols, b_coeffs) -> entries"},
    {"g1_sub_many", py_g1_sub_many, METH_VARARGS,
     "g1_sub_many(a, b[, threads]) -> a[i] - b[i] (G1 points)"},
    {"sparse_msm_g1", py_sparse_msm_g1, METH_VARARGS,
     "sparse_msm_g1(acc, points, rows, cols, coeffs[, threads]) -> acc[c] + sum v points[r]"},
    {"sparse_msm_g2", py_sparse_msm_g2, METH_VARARGS,
     "sparse_msm_g2(acc, points, rows, cols, coeffs[, threads]) -> acc[c] + sum v points[r]"},
    {"scale_g1", py_scale_g1, METH_VARARGS,
     "scale_g1(points, first32, step32[, threads]) -> (first step^i) points[i]"},
    {"scale_g2", py_scale_g2, METH_VARARGS,
     "scale_g2(points, first32, step32[, threads]) -> (first step^i) points[i]"},
    {"fr_pack", py_fr_pack, METH_O, "fr_pack(values) -> bytes, or None if not all in [0, r)"},
    {"msm_g1", py_msm_g1, METH_VARARGS, "msm_g1(points, scalars[, threads]) -> bytes"},
    {"msm_g2", py_msm_g2, METH_VARARGS, "msm_g2(points, scalars[, threads]) -> bytes"},
    {"batch_mul_g1", py_batch_mul_g1, METH_VARARGS,
     "batch_mul_g1(base, scalars[, threads]) -> affine points"},
    {"batch_mul_g2", py_batch_mul_g2, METH_VARARGS,
     "batch_mul_g2(base, scalars[, threads]) -> affine points"},
    {"ntt", py_ntt, METH_VARARGS, "ntt(values, inverse, shift32[, threads]) -> bytes"},
    {"fr_mul_sub", py_fr_mul_sub, METH_VARARGS, "fr_mul_sub(a, b, c) -> a*b - c"},
    {"coset_quotient", py_coset_quotient, METH_VARARGS,
     "coset_quotient(a, b, shift32[, threads]) -> a'b' - (ab)' on the coset"},
    {"sparse_matvec", py_sparse_matvec, METH_VARARGS,
     "sparse_matvec(n_rows, rows, cols, coeffs, witness) -> bytes"},
    {"check_g1", py_check_g1, METH_VARARGS, "check_g1(points, allow_infinity[, threads]) -> index or -1"},
    {"check_g2", py_check_g2, METH_VARARGS, "check_g2(points, allow_infinity[, threads]) -> index or -1"},
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
