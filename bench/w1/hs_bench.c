/*
 * W1 peer: Hyperscan (Debian's libhyperscan-dev) over the W1 items.
 *
 * Reads items.jsonl (the "text" field of every line), terms.txt (one literal
 * a line) and regexes.txt (one regex a line), all written by
 * bench/w1/generate.py, compiles them into one block-mode database, then
 * scans every item's text, one call per item, on the calling thread, timing
 * each call with clock_gettime(CLOCK_MONOTONIC). Prints one line of JSON:
 * items, bytes, seconds (wall time of the scan loop), cpu_seconds (this
 * process's CPU time in the loop: robust when other work shares the core),
 * items_per_sec (wall), items_per_cpu_sec,
 * mb_per_sec (10^6 bytes), p50_us, p99_us, p999_us, max_us, peak_rss_mb
 * (getrusage; includes the loaded texts), compile_ms, db_bytes, matches
 * (pattern ids matched, summed over items: every pattern has
 * HS_FLAG_SINGLEMATCH) and items_matched.
 *
 * Modes:
 *   --mode full      terms (escaped to \xHH where not alphanumeric) and
 *                    regexes in one hs_compile_multi database, every pattern
 *                    HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH | HS_FLAG_UTF8
 *                    (--ucp adds HS_FLAG_UCP: Unicode \d \w \s \b, as in
 *                    Rust's regex crate; off by default).
 *   --mode literals  terms only, hs_compile_lit_multi with
 *                    HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH (the lexicon part).
 *   --check          compile every regex on its own and list the refused
 *                    ones (stderr), then exit.
 * A regex Hyperscan refuses in full mode is dropped (stderr names it, and
 * "refused" in the JSON counts it) and the rest are compiled again.
 *
 *   gcc -O2 -o hs_bench bench/w1/hs_bench.c $(pkg-config --cflags --libs libhs)
 *   taskset -c 1 ./hs_bench --items DIR/items.jsonl --terms DIR/terms.txt \
 *       --regexes DIR/regexes.txt --mode full
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <hs/hs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static void die(const char *msg) {
    fprintf(stderr, "hs_bench: %s\n", msg);
    exit(1);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory");
    return p;
}

static void *xrealloc(void *p, size_t n) {
    p = realloc(p, n ? n : 1);
    if (!p) die("out of memory");
    return p;
}

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- a growable byte buffer ---- */
typedef struct {
    char *p;
    size_t len, cap;
} buf_t;

static void buf_put(buf_t *b, const char *s, size_t n) {
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 4096;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void buf_utf8(buf_t *b, uint32_t cp) {
    char out[4];
    size_t n;
    if (cp < 0x80) {
        out[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_put(b, out, n);
}

/* ---- minimal JSON: one flat object a line, string and number values ---- */
static int hex4(const char *s, uint32_t *out) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* Decodes the JSON string starting at *pp (on the opening quote) into b
 * (when b is not NULL); leaves *pp after the closing quote. */
static int json_string(const char **pp, buf_t *b) {
    const char *p = *pp;
    if (*p != '"') return -1;
    p++;
    for (;;) {
        const char *start = p;
        while (*p && *p != '"' && *p != '\\') p++;
        if (b) buf_put(b, start, (size_t)(p - start));
        if (*p == '"') {
            *pp = p + 1;
            return 0;
        }
        if (*p != '\\') return -1;
        p++;
        char c = *p++;
        char lit;
        switch (c) {
        case '"': lit = '"'; break;
        case '\\': lit = '\\'; break;
        case '/': lit = '/'; break;
        case 'b': lit = '\b'; break;
        case 'f': lit = '\f'; break;
        case 'n': lit = '\n'; break;
        case 'r': lit = '\r'; break;
        case 't': lit = '\t'; break;
        case 'u': {
            uint32_t cp;
            if (hex4(p, &cp)) return -1;
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && p[0] == '\\' && p[1] == 'u') {
                uint32_t lo;
                if (hex4(p + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            if (b) buf_utf8(b, cp);
            continue;
        }
        default: return -1;
        }
        if (b) buf_put(b, &lit, 1);
    }
}

/* Appends the "text" value of one JSON line to texts; returns 0 or -1. */
static int json_text(const char *line, buf_t *texts) {
    const char *p = line;
    buf_t key = {0};
    int found = -1;
    while (*p == ' ') p++;
    if (*p++ != '{') return -1;
    for (;;) {
        while (*p == ' ' || *p == ',') p++;
        if (*p == '}' || *p == 0 || *p == '\n') break;
        key.len = 0;
        if (json_string(&p, &key)) break;
        while (*p == ' ' || *p == ':') p++;
        int is_text = key.len == 4 && memcmp(key.p, "text", 4) == 0;
        if (*p == '"') {
            if (json_string(&p, is_text ? texts : NULL)) break;
            if (is_text) found = 0;
        } else {
            while (*p && *p != ',' && *p != '}') p++;
        }
    }
    free(key.p);
    return found;
}

typedef struct {
    char *data;
    size_t *off; /* n + 1 offsets into data */
    size_t n;
} items_t;

static items_t load_items(const char *path, size_t limit) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "hs_bench: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    buf_t texts = {0};
    size_t cap = 1 << 20, n = 0;
    size_t *off = xmalloc(cap * sizeof *off);
    char *line = NULL;
    size_t linecap = 0;
    off[0] = 0;
    while (getline(&line, &linecap, f) > 0 && (limit == 0 || n < limit)) {
        if (json_text(line, &texts)) {
            fprintf(stderr, "hs_bench: item %zu has no text\n", n + 1);
            exit(1);
        }
        if (n + 2 > cap) {
            cap *= 2;
            off = xrealloc(off, cap * sizeof *off);
        }
        off[++n] = texts.len;
    }
    free(line);
    fclose(f);
    items_t it = {texts.p, off, n};
    return it;
}

typedef struct {
    char **s;
    size_t *len;
    size_t n;
} lines_t;

static lines_t load_lines(const char *path) {
    lines_t l = {0};
    if (!path) return l;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "hs_bench: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    size_t cap = 1024;
    l.s = xmalloc(cap * sizeof *l.s);
    l.len = xmalloc(cap * sizeof *l.len);
    char *line = NULL;
    size_t linecap = 0;
    ssize_t r;
    while ((r = getline(&line, &linecap, f)) > 0) {
        while (r > 0 && (line[r - 1] == '\n' || line[r - 1] == '\r')) line[--r] = 0;
        if (r == 0) continue;
        if (l.n == cap) {
            cap *= 2;
            l.s = xrealloc(l.s, cap * sizeof *l.s);
            l.len = xrealloc(l.len, cap * sizeof *l.len);
        }
        l.s[l.n] = strdup(line);
        l.len[l.n] = (size_t)r;
        l.n++;
    }
    free(line);
    fclose(f);
    return l;
}

/* A literal as a Hyperscan regex: \xHH for every ASCII byte that is not a
 * letter or digit, UTF-8 bytes as they are. */
static char *escape_literal(const char *s, size_t n) {
    char *out = xmalloc(n * 4 + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || isalnum(c)) *o++ = (char)c;
        else o += sprintf(o, "\\x%02x", c);
    }
    *o = 0;
    return out;
}

typedef struct {
    uint64_t matches;
    uint32_t item_matches;
} ctx_t;

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *vctx) {
    (void)id, (void)from, (void)to, (void)flags;
    ctx_t *c = vctx;
    c->matches++;
    c->item_matches++;
    return 0;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void usage(void) {
    fprintf(stderr,
            "usage: hs_bench --items FILE --terms FILE [--regexes FILE] [--mode full|literals]\n"
            "                [--ucp] [--limit N] [--check]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *items_path = NULL, *terms_path = NULL, *regex_path = NULL, *mode = "full";
    int ucp = 0, check = 0;
    size_t limit = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--items") && i + 1 < argc) items_path = argv[++i];
        else if (!strcmp(argv[i], "--terms") && i + 1 < argc) terms_path = argv[++i];
        else if (!strcmp(argv[i], "--regexes") && i + 1 < argc) regex_path = argv[++i];
        else if (!strcmp(argv[i], "--mode") && i + 1 < argc) mode = argv[++i];
        else if (!strcmp(argv[i], "--limit") && i + 1 < argc) limit = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--ucp")) ucp = 1;
        else if (!strcmp(argv[i], "--check")) check = 1;
        else usage();
    }
    int literals_only = !strcmp(mode, "literals");
    if (!literals_only && strcmp(mode, "full")) usage();

    unsigned int rx_flags = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH | HS_FLAG_UTF8 | (ucp ? HS_FLAG_UCP : 0);
    lines_t regexes = load_lines(literals_only ? NULL : regex_path);

    if (check) {
        if (!regex_path) usage();
        size_t bad = 0;
        for (size_t i = 0; i < regexes.n; i++) {
            hs_database_t *db = NULL;
            hs_compile_error_t *err = NULL;
            if (hs_compile(regexes.s[i], rx_flags, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
                fprintf(stderr, "refused line %zu: %s\n  %s\n", i + 1, regexes.s[i], err->message);
                hs_free_compile_error(err);
                bad++;
            } else {
                hs_free_database(db);
            }
        }
        printf("{\"engine\":\"hyperscan\",\"check\":true,\"regexes\":%zu,\"refused\":%zu}\n", regexes.n, bad);
        return bad ? 1 : 0;
    }
    if (!items_path || !terms_path) usage();
    lines_t terms = load_lines(terms_path);

    /* Compile. */
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    size_t refused = 0;
    double compile_s = 0;
    size_t npat = 0;
    if (literals_only) {
        unsigned int *flags = xmalloc(terms.n * sizeof *flags), *ids = xmalloc(terms.n * sizeof *ids);
        for (size_t i = 0; i < terms.n; i++) {
            flags[i] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
            ids[i] = (unsigned)i;
        }
        double t0 = now_s();
        if (hs_compile_lit_multi((const char *const *)terms.s, flags, ids, terms.len, (unsigned)terms.n,
                                 HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
            fprintf(stderr, "hs_bench: literal compile failed at %d: %s\n", err->expression, err->message);
            return 1;
        }
        compile_s = now_s() - t0;
        npat = terms.n;
    } else {
        size_t total = terms.n + regexes.n;
        char **exprs = xmalloc(total * sizeof *exprs);
        unsigned int *flags = xmalloc(total * sizeof *flags), *ids = xmalloc(total * sizeof *ids);
        for (size_t i = 0; i < terms.n; i++) {
            exprs[i] = escape_literal(terms.s[i], terms.len[i]);
            flags[i] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH | HS_FLAG_UTF8;
        }
        for (size_t i = 0; i < regexes.n; i++) {
            exprs[terms.n + i] = regexes.s[i];
            flags[terms.n + i] = rx_flags;
        }
        for (size_t i = 0; i < total; i++) ids[i] = (unsigned)i;
        npat = total;
        for (;;) {
            double t0 = now_s();
            hs_error_t rc = hs_compile_multi((const char *const *)exprs, flags, ids, (unsigned)npat,
                                             HS_MODE_BLOCK, NULL, &db, &err);
            compile_s = now_s() - t0;
            if (rc == HS_SUCCESS) break;
            if (err->expression < 0) {
                fprintf(stderr, "hs_bench: compile failed: %s\n", err->message);
                return 1;
            }
            size_t bad = (size_t)err->expression;
            fprintf(stderr, "hs_bench: refused pattern %u (%s): %s; dropping it\n", ids[bad], exprs[bad],
                    err->message);
            hs_free_compile_error(err);
            err = NULL;
            memmove(exprs + bad, exprs + bad + 1, (npat - bad - 1) * sizeof *exprs);
            memmove(flags + bad, flags + bad + 1, (npat - bad - 1) * sizeof *flags);
            memmove(ids + bad, ids + bad + 1, (npat - bad - 1) * sizeof *ids);
            npat--;
            refused++;
        }
    }
    size_t db_bytes = 0;
    hs_database_size(db, &db_bytes);
    hs_scratch_t *scratch = NULL;
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) die("hs_alloc_scratch failed");

    /* Load the items after compiling, so compile time is measured alone. */
    items_t it = load_items(items_path, limit);
    if (it.n == 0) die("no items");
    uint64_t *lat = xmalloc(it.n * sizeof *lat);
    ctx_t ctx = {0, 0};
    uint64_t items_matched = 0;
    struct timespec a, b;

    /* One untimed pass over the first 1000 items warms the caches, as
     * `harrier bench detect` does. */
    for (size_t i = 0; i < it.n && i < 1000; i++)
        hs_scan(db, it.data + it.off[i], (unsigned int)(it.off[i + 1] - it.off[i]), 0, scratch, on_match, &ctx);
    ctx.matches = 0;
    double c0 = cpu_s();
    double t0 = now_s();
    for (size_t i = 0; i < it.n; i++) {
        const char *text = it.data + it.off[i];
        unsigned int len = (unsigned int)(it.off[i + 1] - it.off[i]);
        ctx.item_matches = 0;
        clock_gettime(CLOCK_MONOTONIC, &a);
        hs_error_t rc = hs_scan(db, text, len, 0, scratch, on_match, &ctx);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (rc != HS_SUCCESS) die("hs_scan failed");
        lat[i] = (uint64_t)(b.tv_sec - a.tv_sec) * 1000000000ull + (uint64_t)(b.tv_nsec - a.tv_nsec);
        items_matched += ctx.item_matches > 0;
    }
    double secs = now_s() - t0;
    double cpu_secs = cpu_s() - c0;

    qsort(lat, it.n, sizeof *lat, cmp_u64);
    double bytes = (double)it.off[it.n];
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
#define PCT(q) ((double)lat[(size_t)((double)(it.n - 1) * (q))] / 1000.0)
    printf("{\"engine\":\"hyperscan\",\"mode\":\"%s\",\"version\":\"%s\",\"ucp\":%s,"
           "\"literals\":%zu,\"regexes\":%zu,\"patterns\":%zu,\"refused\":%zu,"
           "\"items\":%zu,\"bytes\":%.0f,\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"items_per_sec\":%.0f,"
           "\"items_per_cpu_sec\":%.0f,\"mb_per_sec\":%.1f,"
           "\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"max_us\":%.1f,"
           "\"peak_rss_mb\":%.1f,\"compile_ms\":%.1f,\"db_bytes\":%zu,"
           "\"matches\":%llu,\"items_matched\":%llu}\n",
           mode, hs_version(), ucp ? "true" : "false", terms.n, literals_only ? 0 : regexes.n, npat, refused,
           it.n, bytes, secs, cpu_secs, (double)it.n / secs, (double)it.n / cpu_secs, bytes / secs / 1e6, PCT(0.50), PCT(0.99), PCT(0.999),
           (double)lat[it.n - 1] / 1000.0, (double)ru.ru_maxrss / 1024.0, compile_s * 1000.0, db_bytes,
           (unsigned long long)ctx.matches, (unsigned long long)items_matched);
    hs_free_scratch(scratch);
    hs_free_database(db);
    return 0;
}
