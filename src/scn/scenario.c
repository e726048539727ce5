/* SPDX-License-Identifier: MIT */
/*
 * scenario.c - parser for the scenario language.
 *
 * One command per line, whitespace-separated tokens, `#` to end of line is a
 * comment.  A line whose first non-blank characters are `##` is narration:
 * still a comment, but `--trace` prints it (the demo tells its story so).
 * Every error names FILE:LINE:COL of the offending token.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <anonvma/anonvma.h>
#include "scenario.h"
#include "fields.h"

#define MAX_TOKENS 12

struct token {
	const char *s;
	int col;
};

struct parser {
	struct scenario *s;
	int line;
	int eol_col;                 /* column just past the last byte */
	struct token tok[MAX_TOKENS + 1];
	int ntok;
	unsigned char *live;         /* per name: 0 never made, 1 live, 2 exited */
	int *group;                  /* per name: the process (its first name) */
	int *slots;                  /* names by hash: index + 1, 0 empty */
	size_t nslots;               /* a power of two, at least twice the names */
	size_t live_cap;
	int ops_seen;                /* commands other than policy so far */
	char *err;
	size_t errlen;
};

static const char *const op_names[SCN_OP_NR] = {
	[SCN_PROC] = "proc", [SCN_MMAP] = "mmap", [SCN_MUNMAP] = "munmap",
	[SCN_MPROTECT] = "mprotect", [SCN_MREMAP] = "mremap", [SCN_READ] = "read",
	[SCN_WRITE] = "write", [SCN_FORK] = "fork", [SCN_EXIT] = "exit",
	[SCN_DONTNEED] = "dontneed", [SCN_STATS] = "stats", [SCN_RECLAIM] = "reclaim",
	[SCN_AGE] = "age", [SCN_MIGRATE] = "migrate", [SCN_CHECK] = "check",
	[SCN_SHOW] = "show", [SCN_TREE] = "tree", [SCN_EXPECT] = "expect",
	[SCN_POLICY] = "policy", [SCN_MADVISE] = "madvise", [SCN_BRK] = "brk",
	[SCN_EXEC] = "exec", [SCN_THREAD] = "thread", [SCN_VFORK] = "vfork",
	[SCN_NARRATE] = "##",
};

/* Argument shapes: P process, N new process name, A address, S size,
 * T prot (optional when lowercase t), a/s optional address/size, V advice. */
static const char *const op_usage[SCN_OP_NR] = {
	[SCN_PROC] = "N", [SCN_MMAP] = "PASt", [SCN_MUNMAP] = "PAS",
	[SCN_MPROTECT] = "PAST", [SCN_MREMAP] = "PASSa", [SCN_READ] = "PAs",
	[SCN_WRITE] = "PAs", [SCN_FORK] = "PN", [SCN_EXIT] = "P",
	[SCN_DONTNEED] = "PAS", [SCN_STATS] = "", [SCN_RECLAIM] = "PAs",
	[SCN_AGE] = "PAs", [SCN_MIGRATE] = "PAs", [SCN_CHECK] = "",
	[SCN_SHOW] = "P", [SCN_TREE] = "", [SCN_MADVISE] = "PASV", [SCN_BRK] = "PS",
	[SCN_EXEC] = "P", [SCN_THREAD] = "PN", [SCN_VFORK] = "PN",
};

static const struct { const char *name; int advice; } advices[] = {
	{ "dontneed", AV_MADV_DONTNEED }, { "dontfork", AV_MADV_DONTFORK },
	{ "dofork", AV_MADV_DOFORK }, { "wipeonfork", AV_MADV_WIPEONFORK },
	{ "keeponfork", AV_MADV_KEEPONFORK },
};

const char *scn_advice_name(int advice)
{
	for (size_t i = 0; i < sizeof(advices) / sizeof(advices[0]); i++)
		if (advices[i].advice == advice)
			return advices[i].name;
	return NULL;
}

static const char *const cmp_names[] = { "==", "!=", "<", "<=", ">", ">=" };

const char *scn_op_name(enum scn_op op) { return op_names[op]; }
const char *scn_cmp_name(enum scn_cmp c) { return cmp_names[c]; }

static int perr(struct parser *p, int col, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "%s:%d:%d: ", p->s->file, p->line, col);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- numbers ---- */

int scn_number(const char *s, int allow_suffix, uint64_t *out)
{
	const char *c = s;
	uint64_t v = 0, base = 10, mult = 1;
	int digits = 0;

	if (c[0] == '0' && (c[1] == 'x' || c[1] == 'X')) {
		base = 16;
		c += 2;
	}
	for (; *c; c++) {
		unsigned d;
		if (*c >= '0' && *c <= '9')
			d = (unsigned)(*c - '0');
		else if (base == 16 && *c >= 'a' && *c <= 'f')
			d = (unsigned)(*c - 'a' + 10);
		else if (base == 16 && *c >= 'A' && *c <= 'F')
			d = (unsigned)(*c - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return SCN_NUM_TOO_LARGE;
		v = v * base + d;
		digits++;
	}
	if (allow_suffix && digits && c[0] && !c[1]) {
		mult = c[0] == 'K' ? 1ULL << 10 : c[0] == 'M' ? 1ULL << 20 :
		       c[0] == 'G' ? 1ULL << 30 : 0;
		if (mult)
			c++;
		else
			mult = 1;
	}
	if (!digits || *c)
		return SCN_NUM_BAD;
	if (v > UINT64_MAX / mult)
		return SCN_NUM_TOO_LARGE;
	*out = v * mult;
	return 0;
}

static int parse_number(struct parser *p, const struct token *t, int allow_suffix,
			const char *what, uint64_t *out)
{
	switch (scn_number(t->s, allow_suffix, out)) {
	case SCN_NUM_TOO_LARGE:
		return perr(p, t->col, "%s '%s' is too large", what, t->s);
	case SCN_NUM_BAD:
		return perr(p, t->col, "%s '%s' is not a number%s", what, t->s,
			    allow_suffix ? " (decimal or 0x-hex, optional K, M or G)"
					 : " (decimal or 0x-hex)");
	}
	return 0;
}

static int parse_aligned(struct parser *p, const struct token *t, int is_size, uint64_t *out)
{
	const char *what = is_size ? "size" : "address";

	if (parse_number(p, t, is_size, what, out))
		return -1;
	if (*out % AV_PAGE_SIZE)
		return perr(p, t->col, "%s '%s' is not a multiple of 4096", what, t->s);
	return 0;
}

static int parse_offset(struct parser *p, const struct token *t, uint64_t *out)
{
	if (parse_number(p, t, 1, "offset", out))
		return -1;
	if (*out % AV_PAGE_SIZE)
		return perr(p, t->col, "offset '%s' is not a multiple of 4096", t->s);
	return 0;
}

/* The protection words, as a scenario writes them. */
static const struct { const char *word; int prot; } prot_words[] = {
	{ "rw", AV_PROT_READ | AV_PROT_WRITE }, { "r", AV_PROT_READ }, { "none", AV_PROT_NONE },
	{ "rx", AV_PROT_READ | AV_PROT_EXEC },
	{ "rwx", AV_PROT_READ | AV_PROT_WRITE | AV_PROT_EXEC },
};

static int parse_prot(struct parser *p, const struct token *t, int *prot)
{
	for (size_t i = 0; i < sizeof(prot_words) / sizeof(prot_words[0]); i++)
		if (strcmp(t->s, prot_words[i].word) == 0) {
			*prot = prot_words[i].prot;
			return 0;
		}
	return perr(p, t->col, "protection '%s' is not rw, r, none, rx or rwx", t->s);
}

static int parse_advice(struct parser *p, const struct token *t, int *advice)
{
	for (size_t i = 0; i < sizeof(advices) / sizeof(advices[0]); i++)
		if (strcmp(t->s, advices[i].name) == 0) {
			*advice = advices[i].advice;
			return 0;
		}
	return perr(p, t->col, "advice '%s' is not dontneed, dontfork, dofork, wipeonfork "
		    "or keeponfork", t->s);
}

/* ---- process names ---- */

static int valid_identifier(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static size_t name_hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The slot of name: where it is, or the empty one where it would go. */
static size_t name_slot(const struct parser *p, const char *name)
{
	size_t i = name_hash(name) & (p->nslots - 1);

	while (p->slots[i] && strcmp(p->s->names[p->slots[i] - 1], name))
		i = (i + 1) & (p->nslots - 1);
	return i;
}

/* Room in the hash for one more name (a recording names thousands of
 * processes; a linear search made parsing quadratic). */
static int names_hash_grow(struct parser *p)
{
	size_t n = p->nslots ? 2 * p->nslots : 64;
	int *old = p->slots;
	size_t nold = p->nslots;

	if (p->nslots && 2 * (p->s->nnames + 1) <= p->nslots)
		return 0;
	if (!(p->slots = calloc(n, sizeof(*p->slots)))) {
		p->slots = old;
		return -ENOMEM;
	}
	p->nslots = n;
	for (size_t i = 0; i < nold; i++)
		if (old[i])
			p->slots[name_slot(p, p->s->names[old[i] - 1])] = old[i];
	free(old);
	return 0;
}

static int name_index(struct parser *p, const char *name, int create)
{
	struct scenario *s = p->s;
	size_t slot;

	if (p->nslots && p->slots[slot = name_slot(p, name)])
		return p->slots[slot] - 1;
	if (!create)
		return -1;
	if (names_hash_grow(p))
		return -ENOMEM;
	if (s->nnames == s->names_cap) {
		size_t cap = s->names_cap ? 2 * s->names_cap : 16;
		char **n = realloc(s->names, cap * sizeof(*n));
		unsigned char *l;
		if (!n)
			return -ENOMEM;
		s->names = n;
		int *g;
		l = realloc(p->live, cap);
		if (!l)
			return -ENOMEM;
		p->live = l;
		g = realloc(p->group, cap * sizeof(*g));
		if (!g)
			return -ENOMEM;
		p->group = g;
		s->names_cap = cap;
	}
	if (!(s->names[s->nnames] = strdup(name)))
		return -ENOMEM;
	p->slots[name_slot(p, name)] = (int)s->nnames + 1;
	p->live[s->nnames] = 0;
	p->group[s->nnames] = (int)s->nnames;
	return (int)s->nnames++;
}

/* A process that must be live here. */
static int parse_proc(struct parser *p, const struct token *t, int *out)
{
	int i;

	if (!valid_identifier(t->s))
		return perr(p, t->col, "'%s' is not a process name", t->s);
	i = name_index(p, t->s, 0);
	if (i < 0)
		return perr(p, t->col, "no process '%s'", t->s);
	if (p->live[i] == 2)
		return perr(p, t->col, "process '%s' has exited", t->s);
	*out = i;
	return 0;
}

/* A name for a process about to be created: not live. */
static int parse_new_proc(struct parser *p, const struct token *t, int *out)
{
	int i;

	if (!valid_identifier(t->s))
		return perr(p, t->col, "'%s' is not a process name", t->s);
	if (strlen(t->s) > SCN_MAX_NAME)
		return perr(p, t->col, "process name longer than %d characters", SCN_MAX_NAME);
	i = name_index(p, t->s, 1);
	if (i == -ENOMEM)
		return i;
	if (p->live[i] == 1)
		return perr(p, t->col, "process '%s' already exists", t->s);
	*out = i;
	return 0;
}

/* ---- commands ---- */

static const char *shape_word(char c)
{
	switch (c) {
	case 'P': return "PROC";
	case 'N': return "NEWPROC";
	case 'A': case 'a': return "ADDR";
	case 'S': case 's': return "SIZE";
	case 'V': return "dontneed|dontfork|dofork|wipeonfork|keeponfork";
	default:  return "rw|r|none";
	}
}

static void usage_string(enum scn_op op, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s", op_names[op]);

	for (const char *c = op_usage[op]; *c && n < len; c++) {
		int opt = *c >= 'a' && *c <= 'z';
		n += (size_t)snprintf(buf + n, len - n, opt ? " [%s]" : " %s", shape_word(*c));
	}
}

/* Fill cmd from tokens 1.. following the command's shape. */
static int parse_args(struct parser *p, struct scn_cmd *cmd)
{
	const char *shape = op_usage[cmd->op];
	int ti = 1, sizes = 0, addrs = 0, rc;
	char usage[96];

	usage_string(cmd->op, usage, sizeof(usage));
	for (const char *c = shape; *c; c++) {
		const struct token *t = &p->tok[ti];
		int opt = *c >= 'a' && *c <= 'z';

		if (ti >= p->ntok) {
			if (opt)
				break;
			return perr(p, p->eol_col, "%s: missing %s (usage: %s)",
				    op_names[cmd->op], shape_word(*c), usage);
		}
		switch (*c) {
		case 'P':
			rc = parse_proc(p, t, cmd->proc < 0 ? &cmd->proc : &cmd->proc2);
			break;
		case 'N':
			rc = parse_new_proc(p, t, cmd->proc < 0 ? &cmd->proc : &cmd->proc2);
			break;
		case 'A': case 'a':
			rc = parse_aligned(p, t, 0, addrs++ ? &cmd->addr2 : &cmd->addr);
			if (!rc && addrs == 2)
				cmd->has_addr2 = 1;
			break;
		case 'S': case 's':
			rc = parse_aligned(p, t, 1, sizes++ ? &cmd->size2 : &cmd->size);
			break;
		case 'V':
			rc = parse_advice(p, t, &cmd->advice);
			break;
		default:
			rc = parse_prot(p, t, &cmd->prot);
			break;
		}
		if (rc)
			return rc;
		ti++;
	}
	if (ti < p->ntok)
		return perr(p, p->tok[ti].col, "%s: unexpected '%s' (usage: %s)",
			    op_names[cmd->op], p->tok[ti].s, usage);
	return 0;
}

static int parse_expect(struct parser *p, struct scn_cmd *cmd)
{
	static const char usage[] = "expect FIELD ==|!=|<|<=|>|>= VALUE";
	int i;

	if (p->ntok < 4)
		return perr(p, p->eol_col, "expect: missing %s (usage: %s)",
			    p->ntok < 2 ? "FIELD" : p->ntok < 3 ? "comparison" : "VALUE", usage);
	if (p->ntok > 4)
		return perr(p, p->tok[4].col, "expect: unexpected '%s' (usage: %s)",
			    p->tok[4].s, usage);
	if ((cmd->field = stat_field_find(p->tok[1].s)) < 0)
		return perr(p, p->tok[1].col, "unknown stats field '%s'", p->tok[1].s);
	for (i = 0; i < 6; i++)
		if (strcmp(p->tok[2].s, cmp_names[i]) == 0)
			break;
	if (i == 6)
		return perr(p, p->tok[2].col, "unknown comparison '%s' (== != < <= > >=)",
			    p->tok[2].s);
	cmd->cmp = (enum scn_cmp)i;
	return parse_number(p, &p->tok[3], 0, "value", &cmd->value);
}

const char *scn_policy_list(const char *sep)
{
	static _Thread_local char buf[256];
	size_t n = 0;

	buf[0] = '\0';
	for (const char *const *p = av_policy_names(); *p && n < sizeof(buf); p++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? sep : "", *p);
	return buf;
}

static int parse_policy(struct parser *p, struct scn_cmd *cmd)
{
	const char *const *names = av_policy_names();

	if (p->s->policy)
		return perr(p, p->tok[0].col, "policy given twice");
	if (p->ops_seen)
		return perr(p, p->tok[0].col, "policy must come before any other command");
	if (p->ntok != 2)
		return perr(p, p->ntok < 2 ? p->eol_col : p->tok[2].col,
			    "usage: policy %s", scn_policy_list("|"));
	for (; *names; names++)
		if (strcmp(*names, p->tok[1].s) == 0)
			break;
	if (!*names)
		return perr(p, p->tok[1].col, "unknown policy '%s' (%s)", p->tok[1].s,
			    scn_policy_list(", "));
	p->s->policy = *names;
	cmd->text = NULL;
	return 0;
}

/* The machine a recording was made on: `zero_page on|off` and
 * `fault_around PAGES`, each at most once, before any operation.  They
 * set what the command line's --zero-page and --fault-around set (which
 * win when given), so a recording replays as the kernel behaved. */
static int parse_setting(struct parser *p)
{
	int zero = strcmp(p->tok[0].s, "zero_page") == 0;
	uint64_t v;

	if (zero ? p->s->has_zero_page : p->s->fault_around > 0)
		return perr(p, p->tok[0].col, "%s given twice", p->tok[0].s);
	if (p->ops_seen)
		return perr(p, p->tok[0].col, "%s must come before any other command", p->tok[0].s);
	if (p->ntok != 2)
		return perr(p, p->ntok < 2 ? p->eol_col : p->tok[2].col,
			    zero ? "usage: zero_page on|off" : "usage: fault_around PAGES");
	if (zero) {
		if (strcmp(p->tok[1].s, "on") && strcmp(p->tok[1].s, "off"))
			return perr(p, p->tok[1].col, "zero_page is on or off, not '%s'", p->tok[1].s);
		p->s->zero_page = strcmp(p->tok[1].s, "on") == 0;
		p->s->has_zero_page = 1;
		return 0;
	}
	if (scn_number(p->tok[1].s, 0, &v) || v < 1 || v > SCN_MAX_FAULT_AROUND || (v & (v - 1)))
		return perr(p, p->tok[1].col, "fault_around is a power of two from 1 to %d pages, not '%s'",
			    SCN_MAX_FAULT_AROUND, p->tok[1].s);
	p->s->fault_around = (unsigned)v;
	return 0;
}

/* Names change liveness only once the whole line has parsed.  A name is
 * a task: a thread joins its process's group, and exec ends every task of
 * the group but the one that execs. */
static void apply_liveness(struct parser *p, const struct scn_cmd *cmd)
{
	switch (cmd->op) {
	case SCN_PROC:
		p->live[cmd->proc] = 1;
		p->group[cmd->proc] = cmd->proc;
		break;
	case SCN_FORK: case SCN_VFORK:
		p->live[cmd->proc2] = 1;
		p->group[cmd->proc2] = cmd->proc2;
		break;
	case SCN_THREAD:
		p->live[cmd->proc2] = 1;
		p->group[cmd->proc2] = p->group[cmd->proc];
		break;
	case SCN_EXIT:
		p->live[cmd->proc] = 2;
		break;
	case SCN_EXEC:
		for (size_t i = 0; i < p->s->nnames; i++)
			if ((int)i != cmd->proc && p->live[i] == 1 &&
			    p->group[i] == p->group[cmd->proc])
				p->live[i] = 2;
		break;
	default:
		break;
	}
}

static int push(struct scenario *s, const struct scn_cmd *cmd)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct scn_cmd *c = realloc(s->cmds, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		s->cmds = c;
		s->cap = cap;
	}
	s->cmds[s->n++] = *cmd;
	return 0;
}

/* A file name's index, the name added if new. */
static int file_index(struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i], name) == 0)
			return (int)i;
	if (s->nfiles == s->files_cap) {
		size_t cap = s->files_cap ? 2 * s->files_cap : 8;
		char **n = realloc(s->files, cap * sizeof(*n));
		uint64_t *z;
		if (!n)
			return -ENOMEM;
		s->files = n;
		if (!(z = realloc(s->file_size, cap * sizeof(*z))))
			return -ENOMEM;
		s->file_size = z;
		s->files_cap = cap;
	}
	if (!(s->files[s->nfiles] = strdup(name)))
		return -ENOMEM;
	s->file_size[s->nfiles] = 0;
	return (int)s->nfiles++;
}

/* mmap's flag words, in the order they are written. */
static const struct { const char *word; int flag; } map_words[] = {
	{ "shared", AV_MAP_SHARED }, { "noreserve", AV_MAP_NORESERVE }, { "stack", AV_MAP_STACK },
	{ "growsdown", AV_MAP_GROWSDOWN },
};

static int map_word(const char *s)
{
	for (size_t i = 0; i < sizeof(map_words) / sizeof(map_words[0]); i++)
		if (strcmp(s, map_words[i].word) == 0)
			return map_words[i].flag;
	return strcmp(s, "file") == 0 ? -1 : 0;
}

/* mmap's words after SIZE: [rw|r|none] [shared] [noreserve] [stack]
 * [growsdown] [file NAME [OFFSET]].  Reads the words after the protection and cuts
 * them off the line; parse_args reads the rest (and judges the
 * protection). */
static int parse_mmap_tail(struct parser *p, struct scn_cmd *cmd)
{
	static const char usage[] = "usage: mmap PROC ADDR SIZE [rw|r|none] [shared] [noreserve] "
				    "[stack] [growsdown] [file NAME [OFFSET]]";
	int t = 4, end = p->ntok, prot_end, rc, last = 0;

	if (t < end && !map_word(p->tok[t].s))
		t++;                    /* the protection */
	prot_end = t;
	for (; t < end && (rc = map_word(p->tok[t].s)) > 0; t++) {
		if (rc <= last)         /* each once, in order */
			return perr(p, p->tok[t].col, "mmap: unexpected '%s' (%s)", p->tok[t].s,
				    usage);
		cmd->map_flags |= rc;
		last = rc;
	}
	if (t < end && strcmp(p->tok[t].s, "file") == 0) {
		if (++t >= end)
			return perr(p, p->eol_col, "mmap: missing NAME after 'file' (%s)", usage);
		if (!valid_identifier(p->tok[t].s) || strlen(p->tok[t].s) > SCN_MAX_NAME)
			return perr(p, p->tok[t].col, "'%s' is not a file name", p->tok[t].s);
		if ((rc = file_index(p->s, p->tok[t].s)) < 0)
			return rc;
		cmd->file = rc;
		if (++t < end && parse_offset(p, &p->tok[t++], &cmd->offset))
			return -1;
	}
	if (t < end)
		return perr(p, p->tok[t].col, "mmap: unexpected '%s' (%s)", p->tok[t].s, usage);
	if (prot_end < p->ntok)
		p->ntok = prot_end;
	return 0;
}

/* A file's size: the end of its furthest mapping (krun makes it so). */
static int note_file_size(struct parser *p, const struct scn_cmd *cmd)
{
	uint64_t end = cmd->offset + cmd->size;

	if (end < cmd->offset || end > AV_TASK_SIZE)
		return perr(p, p->tok[0].col, "mmap: file offset and size reach past %#llx",
			    (unsigned long long)AV_TASK_SIZE);
	if (end > p->s->file_size[cmd->file])
		p->s->file_size[cmd->file] = end;
	return 0;
}

static int parse_command(struct parser *p)
{
	struct scn_cmd cmd = { .line = p->line, .proc = -1, .proc2 = -1, .field = -1, .file = -1,
			       .prot = AV_PROT_READ | AV_PROT_WRITE };
	int op, rc;

	if (strcmp(p->tok[0].s, "zero_page") == 0 || strcmp(p->tok[0].s, "fault_around") == 0)
		return parse_setting(p);
	for (op = 0; op < SCN_NARRATE; op++)
		if (strcmp(p->tok[0].s, op_names[op]) == 0)
			break;
	if (op == SCN_NARRATE)
		return perr(p, p->tok[0].col, "unknown command '%s'", p->tok[0].s);
	cmd.op = (enum scn_op)op;
	if (cmd.op == SCN_POLICY)
		return parse_policy(p, &cmd);
	if (cmd.op == SCN_MMAP && (rc = parse_mmap_tail(p, &cmd)))
		return rc;
	rc = cmd.op == SCN_EXPECT ? parse_expect(p, &cmd) : parse_args(p, &cmd);
	if (rc)
		return rc;
	if (cmd.file >= 0 && (rc = note_file_size(p, &cmd)))
		return rc;
	if (p->s->n == SCN_MAX_COMMANDS)
		return perr(p, 1, "more than %d commands", SCN_MAX_COMMANDS);
	if ((rc = push(p->s, &cmd)))
		return rc;
	apply_liveness(p, &cmd);
	p->ops_seen++;
	return 0;
}

static int add_narration(struct parser *p, const char *text)
{
	struct scn_cmd cmd = { .op = SCN_NARRATE, .line = p->line, .proc = -1, .proc2 = -1 };

	while (*text == '#')
		text++;
	while (*text == ' ' || *text == '\t')
		text++;
	if (!(cmd.text = strdup(text)))
		return -ENOMEM;
	if (push(p->s, &cmd)) {
		free(cmd.text);
		return -ENOMEM;
	}
	return 0;
}

/* Split line (len bytes, no newline) into tokens, in place. */
static int parse_line(struct parser *p, char *line, size_t len)
{
	char *c = line, *end = line + len;

	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)line[i];
		if ((b < 0x20 && b != '\t' && b != '\r') || b >= 0x7f) {
			if (memchr(line, '#', i))
				break;  /* inside a comment: anything goes */
			return perr(p, (int)i + 1, "invalid byte 0x%02x", b);
		}
	}
	while (c < end && (*c == ' ' || *c == '\t'))
		c++;
	if (end - c >= 2 && c[0] == '#' && c[1] == '#') {
		char *nl = memchr(c, '\0', (size_t)(end - c));
		if (nl)
			end = nl;
		while (end > c && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		return add_narration(p, c);
	}
	p->ntok = 0;
	p->eol_col = 1;
	for (c = line; c < end && *c != '#';) {
		if (*c == ' ' || *c == '\t' || *c == '\r') {
			c++;
			continue;
		}
		if (p->ntok == MAX_TOKENS)
			return perr(p, (int)(c - line) + 1, "too many words on one line");
		p->tok[p->ntok].s = c;
		p->tok[p->ntok].col = (int)(c - line) + 1;
		while (c < end && *c != ' ' && *c != '\t' && *c != '\r' && *c != '#')
			c++;
		p->eol_col = (int)(c - line) + 1;
		p->ntok++;
		if (c < end && *c != '#') {
			*c++ = '\0';
		} else if (c < end) {
			/* A '#' right after a word ends it and the line. */
			*c = '\0';
			break;
		} else {
			*c = '\0';
		}
	}
	return p->ntok ? parse_command(p) : 0;
}

static void parser_init(struct parser *p, struct scenario *s, const char *file,
			char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	memset(p, 0, sizeof(*p));
	p->s = s;
	p->err = err;
	p->errlen = errlen;
	err[0] = '\0';
	s->file = strdup(file);
}

static int parser_finish(struct parser *p, int rc)
{
	free(p->live);
	free(p->group);
	free(p->slots);
	if (rc == -ENOMEM)
		snprintf(p->err, p->errlen, "%s: out of memory while parsing", p->s->file ? p->s->file : "scenario");
	if (rc)
		scn_free(p->s);
	return rc;
}

int scn_parse(struct scenario *s, const char *file, FILE *f, char *err, size_t errlen)
{
	struct parser p;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	parser_init(&p, s, file, err, errlen);
	if (!s->file)
		return parser_finish(&p, -ENOMEM);
	while ((len = getline(&line, &cap, f)) >= 0) {
		p.line++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > SCN_MAX_LINE) {
			rc = perr(&p, SCN_MAX_LINE + 1, "line longer than %d bytes", SCN_MAX_LINE);
			break;
		}
		if ((rc = parse_line(&p, line, (size_t)len)))
			break;
	}
	if (!rc && ferror(f))
		rc = perr(&p, 1, "read error: %s", strerror(errno));
	free(line);
	return parser_finish(&p, rc);
}

int scn_parse_string(struct scenario *s, const char *file, const char *text,
		     char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: out of memory while parsing", file);
		return -ENOMEM;
	}
	rc = scn_parse(s, file, f, err, errlen);
	fclose(f);
	return rc;
}

void scn_free(struct scenario *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->cmds[i].text);
	for (size_t i = 0; i < s->nnames; i++)
		free(s->names[i]);
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	free(s->file_size);
	free(s->cmds);
	free(s->names);
	free(s->file);
	memset(s, 0, sizeof(*s));
}

/* ---- the pages a scenario may map ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static int add_range(uint64_t **pages, size_t *n, size_t *cap, size_t max,
		     uint64_t addr, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += AV_PAGE_SIZE) {
		if (*n == *cap) {
			size_t c = *cap ? 2 * *cap : 1024;
			uint64_t *p;
			if (*n >= max)
				return -E2BIG;
			if (!(p = realloc(*pages, c * sizeof(*p))))
				return -ENOMEM;
			*pages = p;
			*cap = c;
		}
		(*pages)[(*n)++] = addr + off;
	}
	return 0;
}

int scn_pages(const struct scenario *s, size_t max, uint64_t **pages, size_t *npages)
{
	size_t cap = 0, n = 0, k = 0;
	uint64_t *p = NULL;
	int rc = 0;

	for (size_t i = 0; i < s->n && !rc; i++) {
		const struct scn_cmd *c = &s->cmds[i];
		if (c->op == SCN_MMAP)
			rc = add_range(&p, &n, &cap, max, c->addr, c->size);
		else if (c->op == SCN_MREMAP)
			rc = add_range(&p, &n, &cap, max, c->has_addr2 ? c->addr2 : c->addr, c->size2);
		else if (c->op == SCN_BRK)
			rc = add_range(&p, &n, &cap, max, AV_HEAP_START, c->size);
		else if (c->op == SCN_READ || c->op == SCN_WRITE)   /* a stack grows to them */
			rc = add_range(&p, &n, &cap, max, c->addr, c->size ? c->size : AV_PAGE_SIZE);
	}
	if (rc) {
		free(p);
		return rc;
	}
	if (n)
		qsort(p, n, sizeof(*p), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (!k || p[k - 1] != p[i])
			p[k++] = p[i];
	*pages = p;
	*npages = k;
	return 0;
}

/* ---- writing commands back ---- */

static const char *prot_name(int prot)
{
	for (size_t i = 0; i < sizeof(prot_words) / sizeof(prot_words[0]); i++)
		if (prot_words[i].prot == prot)
			return prot_words[i].word;
	return "none";
}

void scn_format_cmd(const struct scenario *s, const struct scn_cmd *c, char *buf, size_t len)
{
	const char *p = c->proc >= 0 ? s->names[c->proc] : "";
	const char *op = scn_op_name(c->op);

	switch (c->op) {
	case SCN_PROC: case SCN_EXIT: case SCN_SHOW: case SCN_EXEC:
		snprintf(buf, len, "%s %s", op, p);
		break;
	case SCN_FORK: case SCN_THREAD: case SCN_VFORK:
		snprintf(buf, len, "%s %s %s", op, p, s->names[c->proc2]);
		break;
	case SCN_MADVISE:
		snprintf(buf, len, "madvise %s %#" PRIx64 " %#" PRIx64 " %s", p, c->addr, c->size,
			 scn_advice_name(c->advice));
		break;
	case SCN_BRK:
		snprintf(buf, len, "brk %s %#" PRIx64, p, c->size);
		break;
	case SCN_MMAP: {
		int n = snprintf(buf, len, "mmap %s %#" PRIx64 " %#" PRIx64 " %s", p, c->addr,
				 c->size, prot_name(c->prot));
		for (size_t i = 0; i < sizeof(map_words) / sizeof(map_words[0]); i++)
			if ((c->map_flags & map_words[i].flag) && n >= 0 && (size_t)n < len)
				n += snprintf(buf + n, len - (size_t)n, " %s", map_words[i].word);
		if (c->file >= 0 && n >= 0 && (size_t)n < len)
			n += snprintf(buf + n, len - (size_t)n, " file %s", s->files[c->file]);
		if (c->file >= 0 && c->offset && n >= 0 && (size_t)n < len)
			snprintf(buf + n, len - (size_t)n, " %#" PRIx64, c->offset);
		break;
	}
	case SCN_MPROTECT:
		snprintf(buf, len, "%s %s %#" PRIx64 " %#" PRIx64 " %s", op, p, c->addr, c->size,
			 prot_name(c->prot));
		break;
	case SCN_MREMAP:
		if (c->has_addr2)
			snprintf(buf, len, "mremap %s %#" PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64,
				 p, c->addr, c->size, c->size2, c->addr2);
		else
			snprintf(buf, len, "mremap %s %#" PRIx64 " %#" PRIx64 " %#" PRIx64,
				 p, c->addr, c->size, c->size2);
		break;
	case SCN_EXPECT:
		snprintf(buf, len, "expect %s %s %" PRIu64, stat_fields[c->field].name,
			 scn_cmp_name(c->cmp), c->value);
		break;
	case SCN_STATS: case SCN_CHECK: case SCN_TREE:
		snprintf(buf, len, "%s", op);
		break;
	case SCN_NARRATE:
		snprintf(buf, len, "## %s", c->text);
		break;
	case SCN_POLICY:
		snprintf(buf, len, "policy %s", c->text ? c->text : "");
		break;
	default:
		snprintf(buf, len, "%s %s %#" PRIx64 " %#" PRIx64, op, p, c->addr,
			 c->size ? c->size : AV_PAGE_SIZE);
		break;
	}
}

int scn_write(FILE *f, const struct scenario *s)
{
	char line[SCN_MAX_LINE];

	if (s->policy)
		fprintf(f, "policy %s\n", s->policy);
	if (s->has_zero_page)
		fprintf(f, "zero_page %s\n", s->zero_page ? "on" : "off");
	if (s->fault_around)
		fprintf(f, "fault_around %u\n", s->fault_around);
	for (size_t i = 0; i < s->n; i++) {
		scn_format_cmd(s, &s->cmds[i], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	return ferror(f) ? -EIO : 0;
}
