/* The learned parts of understanding, trained in the worker from knowledge/ (never from the
 * evaluation set): the scope classifier (logistic regression), the danger detector (kernel
 * density over the labelled messages, read window by window or sentence by sentence when
 * the whole is long or unsure), and the entry model (a softmax over the knowledge's entries,
 * trained in slices and kept in the vector cache). */
#include "understand_internal.h"

#include "log.h"
#include "safety.h"
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void camas_understand_entries_clear(struct entry_model *em)
{
    camas_softmax_free(em->m);
    for (uint32_t i = 0; i < em->n; i++)
        free(em->ids[i]);
    free(em->ids);
    free(em->owners);
    em->m = NULL;
    em->ids = NULL;
    em->owners = NULL;
    em->n = 0;
    em->training = false;
}

/* Where a classifier trained on the set with fingerprint fp is kept in the vector cache (its
 * direction; its scale at the next key). */
static uint64_t model_key(uint64_t fp)
{
    return fp * 0xff51afd7ed558ccdull + 0x5a17;
}

void camas_understand_train(camas_understand *u, struct examples *ex, enum camas_asks_as asks_as,
                            float pos_weight, const char *what)
{
    bool with_asks = asks_as != CAMAS_ASKS_NONE;
    ex->tried = true;
    int dim = camas_embed_dim(u->model);
    size_t max_asks = with_asks ? MAX_EXAMPLES : 0;
    const float **asks = max_asks ? malloc(max_asks * sizeof *asks) : NULL;
    uint64_t fp = 0;
    size_t nasks = asks ? camas_dense_ask_vectors(u->dense, SCOPE_OWNER, asks, max_asks, &fp) : 0;
    /* the set of (label, text), the weight and the trainer's version */
    for (size_t i = 0; i < ex->n; i++) {
        uint64_t h = 1469598103934665603ull ^ ex->labels[i];
        for (const unsigned char *p = (const unsigned char *)ex->texts[i]; *p; p++)
            h = (h ^ *p) * 1099511628211ull;
        fp += h * 0x9e3779b97f4a7c15ull;
    }
    fp ^= (uint64_t)(pos_weight * 1000) * 0xc2b2ae3d27d4eb4full ^ CAMAS_LOGREG_VERSION ^
          ((uint64_t)asks_as << 40);
    if (ex->trainer && fp == ex->training_on) { /* under way already */
        free(asks);
        return;
    }
    camas_logreg_trainer_free(ex->trainer); /* the examples changed under it */
    ex->trainer = NULL;
    if (ex->model && fp == ex->trained_on) {
        free(asks);
        return;
    }
    /* trained before (this process or an earlier one, through the vector cache)? */
    uint64_t kdir = model_key(fp), kscale = kdir + 1;
    const float *dir = camas_dense_keyed(u->dense, kdir), *sc = camas_dense_keyed(u->dense, kscale);
    camas_logreg *kept = dir && sc ? camas_logreg_unpack(dir, sc, dim) : NULL;
    if (kept) {
        camas_logreg_free(ex->model);
        ex->model = kept;
        ex->trained_on = fp;
        free(asks);
        return;
    }
    size_t total = ex->n + nasks;
    float *x = total ? malloc(total * (size_t)dim * sizeof *x) : NULL;
    unsigned char *y = total ? malloc(total) : NULL;
    size_t n = 0;
    for (size_t i = 0; x && y && i < ex->n; i++) {
        const float *v = camas_dense_vector(u->dense, CAMAS_DENSE_ASK, ex->texts[i]);
        if (!v)
            continue;
        memcpy(x + n * (size_t)dim, v, (size_t)dim * sizeof *x);
        y[n++] = ex->labels[i];
    }
    for (size_t i = 0; x && y && i < nasks; i++) {
        memcpy(x + n * (size_t)dim, asks[i], (size_t)dim * sizeof *x);
        y[n++] = asks_as == CAMAS_ASKS_POSITIVE;
    }
    ex->trainer = x && y ? camas_logreg_trainer_new(x, y, n, dim, pos_weight) : NULL;
    ex->training_on = fp;
    ex->what = what;
    if (!ex->trainer && !ex->model)
        log_debug("understand", "no %s classifier yet (%zu examples)", what, n);
    else if (ex->trainer)
        log_debug("understand", "training the %s classifier on %zu examples", what, n);
    free(asks);
    free(x);
    free(y);
}

bool camas_understand_train_step(camas_understand *u, struct examples *ex, int64_t budget_ms)
{
    if (!ex->trainer)
        return false;
    int64_t t0 = camas_monotonic_ms();
    bool done;
    do
        done = camas_logreg_trainer_step(ex->trainer, 5);
    while (!done && camas_monotonic_ms() - t0 < budget_ms);
    if (!done)
        return true;
    camas_logreg *model = camas_logreg_trainer_finish(ex->trainer);
    ex->trainer = NULL;
    if (!model)
        return false;
    camas_logreg_free(ex->model);
    ex->model = model;
    ex->trained_on = ex->training_on;
    log_debug("understand", "%s classifier trained", ex->what);
    int dim = camas_embed_dim(u->model);
    uint64_t kdir = model_key(ex->trained_on), kscale = kdir + 1;
    float *packed = malloc(2 * (size_t)dim * sizeof *packed);
    if (packed) {
        camas_logreg_pack(model, packed, packed + dim);
        if (camas_dense_keep(u->dense, kdir, packed) ||
            camas_dense_keep(u->dense, kscale, packed + dim))
            log_debug("understand", "%s classifier not kept in the cache", ex->what);
        free(packed);
    }
    return false;
}

/* Copies the danger examples' vectors side by side (the pool may move them). */
void camas_understand_gather_danger(camas_understand *u)
{
    u->danger.tried = true;
    int dim = camas_embed_dim(u->model);
    free(u->danger_x);
    free(u->danger_y);
    u->danger_n = 0;
    /* The plugins' example questions are safe messages too: without them the detector had
     * seen few questions about the bodies, and "Kyle Bois phone" or a youth worker asking
     * whom to call read as danger (13 questions of the development sets got the hotline, 9
     * first; 3 after, each about a minor or a kept passport; recall on the held-out danger
     * sets unchanged). */
    const float **asks = malloc(MAX_EXAMPLES * sizeof *asks);
    uint64_t afp = 0;
    size_t nasks =
        asks ? camas_dense_ask_vectors(u->dense, SCOPE_OWNER, asks, MAX_EXAMPLES, &afp) : 0;
    size_t cap = u->danger.n + nasks;
    u->danger_x = cap ? malloc(cap * (size_t)dim * sizeof *u->danger_x) : NULL;
    u->danger_y = cap ? malloc(cap) : NULL;
    size_t pos = 0;
    for (size_t i = 0; u->danger_x && u->danger_y && i < u->danger.n; i++) {
        const float *v = camas_dense_vector(u->dense, CAMAS_DENSE_ASK, u->danger.texts[i]);
        if (!v)
            continue;
        camas_dense_to_half(v, u->danger_x + u->danger_n * (size_t)dim, dim);
        pos += u->danger.labels[i];
        u->danger_y[u->danger_n++] = u->danger.labels[i];
    }
    for (size_t i = 0; u->danger_x && u->danger_y && i < nasks; i++) {
        camas_dense_to_half(asks[i], u->danger_x + u->danger_n * (size_t)dim, dim);
        u->danger_y[u->danger_n++] = 0;
    }
    free(asks);
    if (pos == 0 || pos == u->danger_n) {
        log_warn("understand", "no learned danger detector (%zu examples)", u->danger_n);
        u->danger_n = 0;
        return;
    }
    /* the linear view of the same examples (found in the vector cache after the first
     * training of this set) */
    camas_understand_train(u, &u->danger, CAMAS_ASKS_NEGATIVE, 1.0f, "danger");
}

/* Kernel density ratio: the share of danger among the examples, each weighed by
 * exp(gamma * (cosine - 1)), so the nearest examples decide; then the geometric mean with
 * a logistic regression over the same examples, which sees the directions that separate
 * danger from safe messages rather than the nearest phrasings. Either alone let through
 * more false alarms on the held-out tests/fixtures/dev-danger-2.yaml at full recall (kernel
 * 53 of 158, regression 6, their geometric mean 9 — but 0 against 5 and 2 at 99.4%; in the
 * prototype, sklearn). */
#define DANGER_GAMMA 100.0f
static float danger_kernel(const camas_understand *u, const float *q);
camas_danger_view camas_understand_danger_view(const camas_understand *u, const float *q)
{
    float kernel = danger_kernel(u, q);
    float combined =
        u->danger.model ? sqrtf(kernel * camas_logreg_score(u->danger.model, q)) : kernel;
    return (camas_danger_view){combined, kernel};
}

/* The higher of each view. */
static void keep_higher(camas_danger_view *best, camas_danger_view d)
{
    if (d.combined > best->combined)
        best->combined = d.combined;
    if (d.kernel > best->kernel)
        best->kernel = d.kernel;
}

/* An example this much further than the nearest weighs under exp(-30) of it: with 16,384
 * examples at most, what is skipped is below a float's precision of the ratio. */
#define DANGER_FAR 0.3f
static float danger_kernel(const camas_understand *u, const float *q)
{
    int dim = camas_embed_dim(u->model);
    /* the weights relative to the nearest example so far (the ratio is the same), so that
     * only the near ones cost an exp (10,000 exps were a tenth of a question's time) */
    double d = 0, s = 0;
    float nearest = -2.0f;
    bool fast = camas_dense_half_fast();
    for (size_t i = 0; i < u->danger_n; i++) {
        float c = camas_dense_dot_half(u->danger_x + i * (size_t)dim, q, dim, fast);
        if (c > nearest) {
            double rescale = exp(DANGER_GAMMA * (double)(nearest - c));
            d *= rescale;
            s *= rescale;
            nearest = c;
        } else if (c < nearest - DANGER_FAR) {
            continue;
        }
        double w = exp(DANGER_GAMMA * (double)(c - nearest));
        if (u->danger_y[i])
            d += w;
        else
            s += w;
    }
    return d + s > 0 ? (float)(d / (d + s)) : 0.0f;
}

/* A run of one or two characters ("éééééééé", "xxxxxxxxxx") says nothing, but its vector
 * can land anywhere, near danger examples too: the learned detector leaves it alone (the
 * patterns still read it). */
bool camas_understand_noise(const char *text)
{
    unsigned char seen[256] = {0};
    size_t letters = 0, distinct = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x80 && !isalpha(*p))
            continue;
        letters++;
        if (!seen[*p]++)
            distinct++;
    }
    /* bytes, not characters: "é" is two, so "ééé" shows two distinct bytes */
    return letters >= 8 && distinct <= 2;
}

/* The model reads the first 512 tokens of a text; a long message (one over the size cap,
 * up to 16 KiB) may say what matters at its end. Its danger is the highest of windows of
 * about DANGER_WINDOW bytes, cut at sentence ends, at most MAX_WINDOWS of them. */
#define DANGER_WINDOW 600
#define MAX_WINDOWS   32
/* A message of a few sentences whose whole reads as uncertain ("how do I contact WashACT?
 * my friend never gets her wages and sleeps at the site"): the question dilutes the cry for
 * help, so each sentence of DANGER_PART_MIN bytes or more is weighed too. Only in the
 * uncertain band, so that most questions cost one embedding. A sentence shorter than
 * DANGER_PART_ALONE (about a dozen words) counts only through the geometric mean of its view
 * and the whole's: alone, a short one lands near the danger examples too easily ("They're
 * afraid of the net." of a joke, "Déjeuner offert." of a notice, 0.55-0.70), and the
 * sentences raised 69 of the 195 false alarms on the development danger sets 2-15. With the
 * mean for short ones, 42 of them go, and every danger message keeps the hotline: the
 * short cries the sentences rescue have wholes of 0.50-0.52, and a long sentence still
 * counts alone ("je vois parfois des ados qui me semblent exploitées", 0.58, after which a
 * question about the committee brings the whole down to 0.2). */
#define DANGER_UNSURE     0.1f
#define DANGER_PART_MIN   12
#define DANGER_PART_ALONE 80
static camas_danger_view sentences_danger(const camas_understand *u, const char *text, size_t len,
                                          camas_danger_view whole)
{
    float most = whole.combined > whole.kernel ? whole.combined : whole.kernel;
    if (most < DANGER_UNSURE || whole.combined >= CAMAS_DANGER_STRONG)
        return whole;
    size_t parts[16][2], np = 0, pos = 0;
    while (np < 16 && camas_text_next_sentence(text, len, &pos, parts[np]))
        if (parts[np][1] - parts[np][0] >= DANGER_PART_MIN)
            np++;
    camas_danger_view best = whole;
    float v[MAX_DIM];
    for (size_t k = 0; np >= 2 && k < np; k++)
        if (camas_embed_text(u->model, text + parts[k][0], parts[k][1] - parts[k][0], 1, v) == 0) {
            camas_danger_view d = camas_understand_danger_view(u, v);
            if (parts[k][1] - parts[k][0] < DANGER_PART_ALONE) {
                d.combined = sqrtf(d.combined * whole.combined);
                d.kernel = sqrtf(d.kernel * whole.kernel);
            }
            keep_higher(&best, d);
        }
    return best;
}

camas_danger_view camas_understand_long_danger(const camas_understand *u, const char *text,
                                               camas_danger_view whole)
{
    size_t len = strlen(text);
    if (len <= 2 * DANGER_WINDOW)
        return sentences_danger(u, text, len, whole);
    camas_danger_view best = whole;
    float v[MAX_DIM];
    size_t start = 0;
    for (int w = 0; w < MAX_WINDOWS && start < len; w++) {
        size_t end = start + DANGER_WINDOW < len ? start + DANGER_WINDOW : len;
        /* end after a sentence if one ends in the second half of the window */
        for (size_t k = end; end < len && k > start + DANGER_WINDOW / 2; k--)
            if (text[k - 1] == '.' || text[k - 1] == '!' || text[k - 1] == '?' ||
                text[k - 1] == '\n') {
                end = k;
                break;
            }
        while (end < len && ((unsigned char)text[end] & 0xC0) == 0x80)
            end++; /* never half a character */
        /* a window is read sentence by sentence too when it is uncertain: the filler
         * around a cry for help dilutes it as a question does */
        if (camas_embed_text(u->model, text + start, end - start, 1, v) == 0)
            keep_higher(&best, sentences_danger(u, text + start, end - start,
                                                camas_understand_danger_view(u, v)));
        start = end;
    }
    return best;
}

/* The vector-cache key of packed vector c of the entry model trained on fingerprint fp. */
static uint64_t entry_model_key(uint64_t fp, uint32_t c)
{
    return fp * 0xff51afd7ed558ccdull + 7 + c;
}

/* Gathers the plugins' texts and either finds the entry model trained on them in the cache
 * or starts training it. */
struct class_order {
    const char *id;
    uint32_t entry, was;
};

static int by_id(const void *a, const void *b)
{
    const struct class_order *x = a, *y = b;
    return strcmp(x->id, y->id);
}

/* Sorts the classes (cls_entry) by entry id and renumbers the n labels to match. */
static void sort_classes(camas_understand *u, uint32_t *cls_entry, uint32_t nc, uint32_t *label,
                         size_t n)
{
    struct class_order *o = malloc(nc * sizeof *o);
    uint32_t *now = malloc(nc * sizeof *now);
    if (!o || !now) {
        free(o);
        free(now);
        return; /* loading order then: correct, only not found again after a reload */
    }
    for (uint32_t c = 0; c < nc; c++) {
        uint32_t owner;
        const char *id = camas_dense_entry_at(u->dense, cls_entry[c], &owner);
        o[c] = (struct class_order){id ? id : "", cls_entry[c], c};
    }
    qsort(o, nc, sizeof *o, by_id);
    for (uint32_t c = 0; c < nc; c++) {
        cls_entry[c] = o[c].entry;
        now[o[c].was] = c;
    }
    for (size_t i = 0; i < n; i++)
        label[i] = now[label[i]];
    free(o);
    free(now);
}

void camas_understand_entries_start(camas_understand *u)
{
    struct entry_model *em = &u->entries;
    camas_understand_entries_clear(em);
    em->tried = true;
    int dim = camas_embed_dim(u->model);
    const float **vecs = malloc(MAX_EXAMPLES * sizeof *vecs);
    uint32_t *entry = malloc(MAX_EXAMPLES * sizeof *entry);
    uint32_t *label = malloc(MAX_EXAMPLES * sizeof *label);
    float *x = NULL;
    uint64_t fp = 0;
    size_t n = vecs && entry && label
                   ? camas_dense_labelled(u->dense, SCOPE_OWNER, vecs, entry, MAX_EXAMPLES, &fp)
                   : 0;
    if (n > MAX_EXAMPLES)
        n = MAX_EXAMPLES;
    /* classes: the entries present, in order of first appearance */
    uint32_t *cls_entry = n ? malloc(n * sizeof *cls_entry) : NULL;
    uint32_t nc = 0;
    for (size_t i = 0; cls_entry && i < n; i++) {
        uint32_t c = 0;
        while (c < nc && cls_entry[c] != entry[i])
            c++;
        if (c == nc)
            cls_entry[nc++] = entry[i];
        label[i] = c;
    }
    if (nc < 2 || 2 * (size_t)nc + 1 > (size_t)dim)
        goto out; /* nothing to tell apart, or too many entries to keep: nearest phrasings only */
    /* classes in the order of their ids, not of loading: a reload of unchanged knowledge
     * (the plugin's entries then come last) finds the model it trained before */
    sort_classes(u, cls_entry, nc, label, n);
    em->ids = calloc(nc, sizeof *em->ids);
    em->owners = calloc(nc, sizeof *em->owners);
    if (!em->ids || !em->owners)
        goto out;
    em->n = nc;
    for (uint32_t c = 0; c < nc; c++) {
        const char *id = camas_dense_entry_at(u->dense, cls_entry[c], &em->owners[c]);
        if (!(em->ids[c] = strdup(id ? id : "")))
            goto out;
        for (const char *p = em->ids[c]; *p; p++)
            fp = (fp ^ (unsigned char)*p) * 1099511628211ull; /* the class order matters */
    }
    fp ^= (uint64_t)nc * 0xc2b2ae3d27d4eb4full ^ (CAMAS_LOGREG_VERSION + 100);
    em->trained_on = fp;
    log_debug("understand", "entry model %016llx: %s", (unsigned long long)fp,
              camas_dense_keyed(u->dense, entry_model_key(fp, 0)) ? "kept" : "to train");
    if (camas_dense_keyed(u->dense, entry_model_key(fp, 0))) { /* trained before: kept */
        float *packed = malloc(((size_t)nc + 1) * (size_t)dim * sizeof *packed);
        bool all = packed != NULL;
        for (uint32_t c = 0; all && c <= nc; c++) {
            const float *v = camas_dense_keyed(u->dense, entry_model_key(fp, c));
            if (v)
                memcpy(packed + (size_t)c * (size_t)dim, v, (size_t)dim * sizeof *v);
            all = v != NULL;
        }
        em->m = all ? camas_softmax_unpack(packed, nc, dim) : NULL;
        free(packed);
        if (em->m)
            goto out;
    }
    x = malloc(n * (size_t)dim * sizeof *x);
    for (size_t i = 0; x && i < n; i++)
        memcpy(x + i * (size_t)dim, vecs[i], (size_t)dim * sizeof *x);
    em->m = x ? camas_softmax_new(x, label, n, dim, nc) : NULL;
    em->training = em->m != NULL;
out:
    if (!em->m)
        camas_understand_entries_clear(em);
    free(x);
    free(cls_entry);
    free(vecs);
    free(entry);
    free(label);
}

/* Trains the entry model for up to budget_ms; once done, keeps it in the vector cache. */
void camas_understand_entries_train(camas_understand *u, int64_t budget_ms)
{
    struct entry_model *em = &u->entries;
    int64_t t0 = camas_monotonic_ms();
    bool done = false;
    do
        done = camas_softmax_train(em->m, 1);
    while (!done && camas_monotonic_ms() - t0 < budget_ms);
    if (!done)
        return;
    em->training = false;
    int dim = camas_embed_dim(u->model);
    float *packed = malloc(((size_t)em->n + 1) * (size_t)dim * sizeof *packed);
    if (packed && camas_softmax_pack(em->m, packed))
        for (uint32_t c = 0; c <= em->n; c++)
            if (camas_dense_keep(u->dense, entry_model_key(em->trained_on, c),
                                 packed + (size_t)c * (size_t)dim)) {
                log_debug("understand", "entry model not kept in the cache");
                break;
            }
    free(packed);
    log_debug("understand", "entry model trained (%u entries)", em->n);
}
