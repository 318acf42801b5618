#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed.h"
#include "json/json.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define FEEDS_EXTRA_MAX 256	/* --feed options */

static const char feeds_help[] =
	"Commands:\n"
	"  list             the loaded feeds: id, date, entries of each kind,\n"
	"                   title and file\n"
	"  show ID          one feed's metadata and entries\n"
	"  import --from osv|csv|list PATH\n"
	"                   write a native feed made from OSV records (a\n"
	"                   directory, one record or a zip), a CSV file or a\n"
	"                   name:version list; skipped records are reported\n"
	"  update URL --sha256 HEX\n"
	"                   replace the installed feeds with the bundle at URL\n"
	"                   (https only; tar, tar.gz or zip of *.json feeds and\n"
	"                   *.md notes), after checking its SHA-256 and every\n"
	"                   feed in it; the swap is atomic\n"
	"\n"
	"Options:\n"
	"  --feed FILE      load FILE as well (repeatable; list, show)\n"
	"  --no-bundled     do not load the bundled feeds (list, show)\n"
	"  --format FMT     text (default) or json (list, show)\n"
	"  --from KIND      what PATH holds: osv, csv or list (import)\n"
	"  --id ID          the new feed's id (import; default: from PATH)\n"
	"  --title TEXT     the new feed's title (import)\n"
	"  --sha256 HEX     the bundle's SHA-256, from its publisher (update)\n"
	"  --dest DIR       the feeds directory to replace (update; default:\n"
	"                   the one wormsign uses, see wormsign --version)\n"
	"  --cacert FILE    trust the CA certificates in FILE (update)\n"
	"  -o, --output F   write to F (atomically) instead of standard output\n"
	"  -h, --help       show this help\n";

struct feeds_opts {
	const char *extra[FEEDS_EXTRA_MAX];
	size_t nextra;
	int no_bundled;
	int json;
	int format_set;
	const char *from, *id, *title, *output;
	const char *sha256, *dest, *cacert;
};

/* Text from a feed, on one line, without control characters. */
static void
put_clean(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n' || c == '\t')
			fputc(' ', fp);
		else if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02x", c);
		else
			fputc(c, fp);
	}
}

static size_t
clean_width(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			n += 4;
		else if ((c & 0xC0) != 0x80)
			n++;	/* one column per UTF-8 sequence, roughly */
	}
	return n;
}

static void
pad(FILE *fp, size_t n)
{
	while (n--)
		fputc(' ', fp);
}

/* ---- list ---- */

static int
list_text(FILE *fp, const struct feed_set *s)
{
	static const char *const heads[] = {
		"ID", "PUBLISHED", "PACKAGES", "FILES", "ARTIFACTS", "NETWORK",
		"PATH", "TITLE",
	};
	size_t w[8], i, k;

	for (k = 0; k < 8; k++)
		w[k] = strlen(heads[k]);
	for (i = 0; i < s->nfeeds; i++) {
		const struct feed *f = s->feeds[i];
		size_t v[3];

		v[0] = clean_width(f->id);
		v[1] = f->published ? clean_width(f->published) : 1;
		v[2] = f->path ? clean_width(f->path) : 1;
		if (v[0] > w[0])
			w[0] = v[0];
		if (v[1] > w[1])
			w[1] = v[1];
		if (v[2] > w[6])
			w[6] = v[2];
	}
	for (k = 0; k < 8; k++) {
		/* counts are right-aligned, the rest left-aligned; the
		 * title, last, is not padded */
		if (k >= 2 && k <= 5)
			pad(fp, w[k] - strlen(heads[k]));
		fputs(heads[k], fp);
		if (k == 7)
			break;
		if (k < 2 || k > 5)
			pad(fp, w[k] - strlen(heads[k]));
		fputs("  ", fp);
	}
	fputc('\n', fp);
	for (i = 0; i < s->nfeeds; i++) {
		const struct feed *f = s->feeds[i];
		size_t counts[4] = { f->npackages, f->nfiles, f->nartifacts,
				     f->nnetwork };

		put_clean(fp, f->id);
		pad(fp, w[0] - clean_width(f->id) + 2);
		put_clean(fp, f->published ? f->published : "-");
		pad(fp, w[1] - (f->published ? clean_width(f->published) : 1) +
				2);
		for (k = 0; k < 4; k++)
			fprintf(fp, "%*zu  ", (int)w[2 + k], counts[k]);
		put_clean(fp, f->path ? f->path : "-");
		pad(fp, w[6] - (f->path ? clean_width(f->path) : 1) + 2);
		put_clean(fp, f->title ? f->title : "-");
		fputc('\n', fp);
	}
	return ferror(fp) ? WS_EIO : 0;
}

static int
list_json(FILE *fp, const struct feed_set *s)
{
	struct json_writer w;
	size_t i, j;

	jsonw_init(&w, fp, 1);
	jsonw_object_begin(&w);
	jsonw_key(&w, "feeds");
	jsonw_array_begin(&w);
	for (i = 0; i < s->nfeeds; i++) {
		const struct feed *f = s->feeds[i];

		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "id", f->id);
		jsonw_kv_string(&w, "title", f->title);
		jsonw_kv_string(&w, "published", f->published);
		jsonw_kv_string(&w, "path", f->path);
		jsonw_key(&w, "sources");
		jsonw_array_begin_inline(&w);
		for (j = 0; j < f->nsources; j++)
			jsonw_string(&w, f->sources[j]);
		jsonw_array_end(&w);
		jsonw_kv_int(&w, "packages", (long long)f->npackages);
		jsonw_kv_int(&w, "files", (long long)f->nfiles);
		jsonw_kv_int(&w, "artifacts", (long long)f->nartifacts);
		jsonw_kv_int(&w, "network", (long long)f->nnetwork);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	return jsonw_finish(&w);
}

/* ---- show ---- */

static const char *
severity_name(int sev)
{
	static const char *const names[] = {
		"info", "low", "medium", "high", "critical",
	};

	return sev >= 0 && sev <= 4 ? names[sev] : NULL;
}

static void
show_meta(FILE *fp, const struct feed_meta *m)
{
	fputs("      source ", fp);
	put_clean(fp, m->source);
	if (m->advisory) {
		fputs(", advisory ", fp);
		put_clean(fp, m->advisory);
	}
	if (severity_name(m->severity))
		fprintf(fp, ", severity %s", severity_name(m->severity));
	fputc('\n', fp);
}

static void
show_line(FILE *fp, const char *label, const char *s)
{
	if (!s)
		return;
	fputs("      ", fp);
	if (label)
		fprintf(fp, "%s ", label);
	put_clean(fp, s);
	fputc('\n', fp);
}

struct by_name {
	const char *name;
	size_t index;
};

static int
cmp_by_name(const void *a, const void *b)
{
	const struct by_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->index < y->index ? -1 : x->index > y->index);
}

static void
hexout(FILE *fp, const uint8_t *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(fp, "%02x", d[i]);
}

static int
show_text(FILE *fp, const struct feed *f)
{
	struct by_name *order;
	size_t i, j;

	fputs("id         ", fp);
	put_clean(fp, f->id);
	fputs("\ntitle      ", fp);
	put_clean(fp, f->title ? f->title : "-");
	fputs("\npublished  ", fp);
	put_clean(fp, f->published ? f->published : "-");
	fputs("\npath       ", fp);
	put_clean(fp, f->path ? f->path : "-");
	fputc('\n', fp);
	for (i = 0; i < f->nsources; i++) {
		fputs(i ? "           " : "sources    ", fp);
		put_clean(fp, f->sources[i]);
		fputc('\n', fp);
	}

	fprintf(fp, "\npackages (%zu)\n", f->npackages);
	order = xreallocarray(NULL, f->npackages ? f->npackages : 1,
			      sizeof(*order));
	for (i = 0; i < f->npackages; i++) {
		order[i].name = f->packages[i].name;
		order[i].index = i;
	}
	qsort(order, f->npackages, sizeof(*order), cmp_by_name);
	for (i = 0; i < f->npackages; i++) {
		const struct feed_package *p = &f->packages[order[i].index];

		fputs("  ", fp);
		put_clean(fp, p->name);
		for (j = 0; j < p->nversions; j++) {
			fputs(j ? ", " : " ", fp);
			put_clean(fp, p->versions[j]);
		}
		for (j = 0; j < p->nranges; j++) {
			fputs(j || p->nversions ? " || " : " ", fp);
			put_clean(fp, p->range_texts[j]);
		}
		fputc('\n', fp);
		show_meta(fp, &p->meta);
	}
	free(order);

	fprintf(fp, "\nfiles (%zu)\n", f->nfiles);
	for (i = 0; i < f->nfiles; i++) {
		const struct feed_file *e = &f->files[i];

		fputs("  ", fp);
		if (e->has_sha256) {
			fputs("sha256 ", fp);
			hexout(fp, e->sha256, 32);
		}
		if (e->has_sha1) {
			fputs(e->has_sha256 ? " sha1 " : "sha1 ", fp);
			hexout(fp, e->sha1, 20);
		}
		fputc('\n', fp);
		if (e->nnames) {
			fputs("      names", fp);
			for (j = 0; j < e->nnames; j++) {
				fputs(j ? ", " : " ", fp);
				put_clean(fp, e->names[j]);
			}
			fputc('\n', fp);
		}
		show_line(fp, NULL, e->description);
		show_meta(fp, &e->meta);
	}

	fprintf(fp, "\nartifacts (%zu)\n", f->nartifacts);
	for (i = 0; i < f->nartifacts; i++) {
		const struct feed_artifact *a = &f->artifacts[i];

		fputs("  ", fp);
		put_clean(fp, a->kind);
		fputc(' ', fp);
		put_clean(fp, a->value);
		fputc('\n', fp);
		show_line(fp, NULL, a->description);
		show_meta(fp, &a->meta);
	}

	fprintf(fp, "\nnetwork (%zu)\n", f->nnetwork);
	for (i = 0; i < f->nnetwork; i++) {
		const struct feed_network *n = &f->network[i];

		fputs("  ", fp);
		put_clean(fp, n->kind);
		fputc(' ', fp);
		put_clean(fp, n->value);
		fputc('\n', fp);
		show_line(fp, NULL, n->description);
		show_meta(fp, &n->meta);
	}
	return ferror(fp) ? WS_EIO : 0;
}

/* ---- output ---- */

typedef int (*render_fn)(FILE *fp, const void *arg);

static int
render_list_text(FILE *fp, const void *arg)
{
	return list_text(fp, arg);
}

static int
render_list_json(FILE *fp, const void *arg)
{
	return list_json(fp, arg);
}

static int
render_show_text(FILE *fp, const void *arg)
{
	return show_text(fp, arg);
}

static int
render_feed(FILE *fp, const void *arg)
{
	return feed_write(fp, arg);
}

static int
emit(const char *output, render_fn fn, const void *arg)
{
	struct cli_output out;
	int err;

	if ((err = cli_output_open(&out, output))) {
		cli_error("%s", ws_error_last());
		return WS_EXIT_FAILURE;
	}
	if (fn(out.fp, arg) != 0 || (output && ferror(out.fp))) {
		/* stdout's error flag stays set: main reports it, once */
		if (output)
			cli_error("%s: write error", output);
		cli_output_abort(&out);
		return WS_EXIT_FAILURE;
	}
	if ((err = cli_output_commit(&out))) {
		cli_error("%s", ws_error_last());
		return WS_EXIT_FAILURE;
	}
	return WS_EXIT_CLEAN;
}

/* ---- commands ---- */

static int
load(struct feed_set *s, struct feed ***owned, size_t *nowned,
     const struct feeds_opts *o)
{
	int err = feed_load_all(s, owned, nowned, !o->no_bundled, o->extra,
				o->nextra);

	if (err) {
		cli_error("%s", ws_error_last());
		if (err == WS_ENOTFOUND && !o->no_bundled)
			cli_note("set WORMSIGN_DATA to the directory that holds feeds/, or use --no-bundled with --feed FILE");
		return cli_exit_for(err);
	}
	return WS_EXIT_CLEAN;
}

static void
free_owned(struct feed **owned, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		feed_free(owned[i]);
	free(owned);
}

static int
feeds_list(const struct feeds_opts *o)
{
	struct feed_set s;
	struct feed **owned = NULL;
	size_t nowned = 0;
	int code;

	feed_set_init(&s);
	code = load(&s, &owned, &nowned, o);
	if (code == WS_EXIT_CLEAN)
		code = emit(o->output, o->json ? render_list_json :
						 render_list_text, &s);
	feed_set_release(&s);
	free_owned(owned, nowned);
	return code;
}

static int
feeds_show(const struct feeds_opts *o, const char *id)
{
	struct feed_set s;
	struct feed **owned = NULL;
	const struct feed *f = NULL;
	size_t nowned = 0, i;
	int code;

	feed_set_init(&s);
	code = load(&s, &owned, &nowned, o);
	if (code != WS_EXIT_CLEAN)
		goto done;
	for (i = 0; i < s.nfeeds && !f; i++)
		if (strcmp(s.feeds[i]->id, id) == 0)
			f = s.feeds[i];
	if (!f) {
		cli_error("no feed with id \"%s\"; see 'wormsign feeds list'",
			  id);
		code = WS_EXIT_USAGE;
		goto done;
	}
	code = emit(o->output, o->json ? render_feed : render_show_text, f);
done:
	feed_set_release(&s);
	free_owned(owned, nowned);
	return code;
}

static int
feeds_import(const struct feeds_opts *o, const char *path)
{
	struct feed_import_stats st;
	struct feed *f = NULL;
	size_t i;
	int err, code = WS_EXIT_CLEAN;

	memset(&st, 0, sizeof(st));
	if (strcmp(o->from, "osv") == 0)
		err = feed_import_osv(&f, path, o->id, o->title, &st);
	else if (strcmp(o->from, "csv") == 0)
		err = feed_import_csv(&f, path, o->id, o->title, &st);
	else
		err = feed_import_list(&f, path, o->id, o->title, &st);
	for (i = 0; i < st.nmessages; i++)
		cli_warning("skipped %s", st.messages[i]);
	if (st.skipped > st.nmessages)
		cli_warning("%zu more skipped records not shown",
			    st.skipped - st.nmessages);
	if (err) {
		cli_error("%s", ws_error_last());
		code = cli_exit_for(err);
		goto done;
	}
	fputs("wormsign: ", stderr);
	fprintf(stderr, "imported %zu entries from ", st.taken);
	put_clean(stderr, path);
	fprintf(stderr, " (%zu skipped, %zu ignored)\n", st.skipped,
		st.ignored);
	if (st.taken == 0) {
		cli_error("nothing to import from %s", path);
		code = WS_EXIT_USAGE;
		goto done;
	}
	code = emit(o->output, render_feed, f);
done:
	feed_free(f);
	feed_import_stats_release(&st);
	return code;
}

static int
only_for(const char *opt, const char *cmd)
{
	cli_error("feeds: %s is not an option of 'feeds %s'", opt, cmd);
	return WS_EXIT_USAGE;
}

int
cmd_feeds(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "feed", required_argument, NULL, 'F' },
		{ "no-bundled", no_argument, NULL, 'N' },
		/* scan's spelling, so that one habit works for both */
		{ "no-bundled-feeds", no_argument, NULL, 'N' },
		{ "format", required_argument, NULL, 'f' },
		{ "from", required_argument, NULL, 'm' },
		{ "id", required_argument, NULL, 'i' },
		{ "title", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "sha256", required_argument, NULL, 'S' },
		{ "dest", required_argument, NULL, 'D' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct feeds_opts o;
	const char *cmd;
	int c, nargs;

	memset(&o, 0, sizeof(o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (o.nextra == FEEDS_EXTRA_MAX) {
				cli_error("feeds: more than %d --feed options",
					  FEEDS_EXTRA_MAX);
				return WS_EXIT_USAGE;
			}
			o.extra[o.nextra++] = optarg;
			break;
		case 'N':
			o.no_bundled = 1;
			break;
		case 'f':
			o.format_set = 1;
			if (strcmp(optarg, "json") == 0)
				o.json = 1;
			else if (strcmp(optarg, "text") == 0)
				o.json = 0;
			else {
				cli_error("--format: unknown format \"%s\" (text, json)",
					  optarg);
				return WS_EXIT_USAGE;
			}
			break;
		case 'm':
			if (strcmp(optarg, "osv") != 0 &&
			    strcmp(optarg, "csv") != 0 &&
			    strcmp(optarg, "list") != 0) {
				cli_error("--from: unknown kind \"%s\" (osv, csv, list)",
					  optarg);
				return WS_EXIT_USAGE;
			}
			o.from = optarg;
			break;
		case 'i':
			o.id = optarg;
			break;
		case 't':
			o.title = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'S':
			o.sha256 = optarg;
			break;
		case 'D':
			o.dest = optarg;
			break;
		case 'C':
			o.cacert = optarg;
			break;
		case 'h':
			cli_usage(stdout, "feeds", feeds_help);
			return WS_EXIT_CLEAN;
		default:
			return cli_bad_option("feeds", c, argv);
		}
	}
	nargs = argc - optind;
	if (nargs < 1) {
		cli_error("feeds: missing command (list, show, import, update)");
		fprintf(stderr, "Try 'wormsign feeds --help' for more.\n");
		return WS_EXIT_USAGE;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "update") == 0) {
		if (o.nextra || o.no_bundled || o.format_set || o.from || o.id ||
		    o.title || o.output) {
			cli_error("feeds update: only --sha256, --dest and --cacert apply");
			return WS_EXIT_USAGE;
		}
		if (nargs != 2) {
			cli_error("feeds update: expected one URL");
			return WS_EXIT_USAGE;
		}
		return feeds_update(argv[optind + 1], o.sha256, o.dest, o.cacert);
	}
	if (o.sha256 || o.dest || o.cacert) {
		cli_error("feeds %s: --sha256, --dest and --cacert are for update", cmd);
		return WS_EXIT_USAGE;
	}
	if (strcmp(cmd, "import") == 0) {
		if (o.nextra)
			return only_for("--feed", cmd);
		if (o.no_bundled)
			return only_for("--no-bundled", cmd);
		if (o.format_set)
			return only_for("--format", cmd);
		if (!o.from) {
			cli_error("feeds import: --from osv|csv|list is required");
			return WS_EXIT_USAGE;
		}
		if (nargs != 2) {
			cli_error("feeds import: expected one PATH, got %d",
				  nargs - 1);
			return WS_EXIT_USAGE;
		}
		return feeds_import(&o, argv[optind + 1]);
	}
	if (strcmp(cmd, "list") != 0 && strcmp(cmd, "show") != 0) {
		cli_error("feeds: unknown command \"%s\" (list, show, import, update)",
			  cmd);
		return WS_EXIT_USAGE;
	}
	if (o.from)
		return only_for("--from", cmd);
	if (o.id)
		return only_for("--id", cmd);
	if (o.title)
		return only_for("--title", cmd);
	if (strcmp(cmd, "list") == 0) {
		if (nargs != 1) {
			cli_error("feeds list: unexpected argument \"%s\"",
				  argv[optind + 1]);
			return WS_EXIT_USAGE;
		}
		return feeds_list(&o);
	}
	if (nargs != 2) {
		cli_error("feeds show: expected one feed ID");
		return WS_EXIT_USAGE;
	}
	return feeds_show(&o, argv[optind + 1]);
}
