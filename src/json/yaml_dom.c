#include "json/yaml_dom.h"

#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "util/error.h"
#include "util/banned.h"

struct yaml_frame {
	struct json_value *container;
	struct json_value *last;
	const char *key;	/* mapping: the key read, value pending */
	uint32_t key_len;
};

static int
yaml_fail(const char *name, const yaml_mark_t *m, int code, const char *what)
{
	return ws_error_set(code, "%s:%zu:%zu: %s", name, m->line + 1,
			    m->column + 1, what);
}

static struct json_value *
yaml_node(struct json_doc *doc, enum json_type type, const yaml_mark_t *m)
{
	struct json_value *v = mempool_calloc(&doc->pool, sizeof(*v));

	v->type = (uint8_t)type;
	v->line = (uint32_t)(m->line + 1);
	v->col16 = m->column + 1 > 65535 ? 65535 : (uint16_t)(m->column + 1);
	doc->nodes++;
	return v;
}

static int
yaml_plain_number(const char *s, size_t n)
{
	size_t i = 0;
	int digits = 0, dot = 0;

	if (n && (s[0] == '-' || s[0] == '+'))
		i++;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.' && !dot)
			dot = 1;
		else
			return 0;
	}
	return digits > 0;
}

static struct json_value *
yaml_scalar(struct json_doc *doc, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	enum json_type type = JSON_STRING;
	struct json_value *v;

	if (plain) {
		if (n == 0 || (n == 1 && s[0] == '~') ||
		    (n == 4 && (memcmp(s, "null", 4) == 0 ||
				memcmp(s, "Null", 4) == 0 ||
				memcmp(s, "NULL", 4) == 0)))
			type = JSON_NULL;
		else if ((n == 4 && (memcmp(s, "true", 4) == 0 ||
				     memcmp(s, "True", 4) == 0)))
			type = JSON_TRUE;
		else if ((n == 5 && (memcmp(s, "false", 5) == 0 ||
				     memcmp(s, "False", 5) == 0)))
			type = JSON_FALSE;
		else if (yaml_plain_number(s, n))
			type = JSON_NUMBER;
	}
	v = yaml_node(doc, type, &ev->start_mark);
	v->u.str = mempool_strndup(&doc->pool, s, n);
	v->len = (uint32_t)n;
	return v;
}

static void
yaml_append(struct yaml_frame *f, struct json_value *v)
{
	if (f->last)
		f->last->next = v;
	else
		f->container->u.first = v;
	f->last = v;
	f->container->len++;
}

int
json_parse_yaml(struct json_doc *doc, const char *buf, size_t len,
		    const char *name)
{
	struct yaml_frame stack[JSON_DEPTH_MAX];
	yaml_parser_t parser;
	yaml_event_t ev;
	size_t depth = 0;
	int err = 0, done = 0, have_event = 0;

	memset(doc, 0, sizeof(*doc));
	mempool_init(&doc->pool, 1u << 20);
	doc->name = name;
	if (!yaml_parser_initialize(&parser))
		return ws_error_set(WS_ERROR, "%s: cannot start the YAML parser",
				    name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);

	while (!done) {
		struct json_value *v = NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			char what[256];

			snprintf(what, sizeof(what), "%s%s%s",
				 parser.problem ? parser.problem : "bad YAML",
				 parser.context ? " " : "",
				 parser.context ? parser.context : "");
			err = yaml_fail(name, &parser.problem_mark, WS_EPARSE,
					what);
			break;
		}
		have_event = 1;
		if (doc->nodes >= JSON_NODES_MAX) {
			err = yaml_fail(name, &ev.start_mark, WS_ELIMIT,
					"too many values");
			break;
		}
		switch (ev.type) {
		case YAML_ALIAS_EVENT:
			err = yaml_fail(name, &ev.start_mark, WS_EPARSE,
					"YAML aliases are not allowed in a lockfile");
			break;
		case YAML_SCALAR_EVENT:
			v = yaml_scalar(doc, &ev);
			break;
		case YAML_MAPPING_START_EVENT:
			v = yaml_node(doc, JSON_OBJECT, &ev.start_mark);
			break;
		case YAML_SEQUENCE_START_EVENT:
			v = yaml_node(doc, JSON_ARRAY, &ev.start_mark);
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			depth--;
			break;
		case YAML_DOCUMENT_END_EVENT:
			/* only the first document counts */
			done = 1;
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		if (err)
			break;
		if (v) {
			struct yaml_frame *top = depth ? &stack[depth - 1] : NULL;

			if (!top) {
				doc->root = v;
			} else if (top->container->type == JSON_OBJECT &&
				   !top->key) {
				/* a key: only scalars are usable as names */
				if (v->type == JSON_OBJECT ||
				    v->type == JSON_ARRAY) {
					err = yaml_fail(name, &ev.start_mark,
							WS_EPARSE,
							"mapping keys must be scalars");
					break;
				}
				top->key = v->u.str;
				top->key_len = v->len;
				doc->nodes--;
				v = NULL;
			} else {
				if (top->container->type == JSON_OBJECT) {
					v->key = top->key;
					v->key_len = top->key_len;
					top->key = NULL;
				}
				yaml_append(top, v);
			}
			if (v && (v->type == JSON_OBJECT ||
				  v->type == JSON_ARRAY)) {
				if (depth == JSON_DEPTH_MAX) {
					err = yaml_fail(name, &ev.start_mark,
							WS_ELIMIT,
							"nesting too deep");
					break;
				}
				stack[depth].container = v;
				stack[depth].last = NULL;
				stack[depth].key = NULL;
				depth++;
			}
		}
		yaml_event_delete(&ev);
		have_event = 0;
	}
	if (have_event)
		yaml_event_delete(&ev);
	yaml_parser_delete(&parser);
	if (!err && !doc->root)
		err = ws_error_set(WS_EPARSE, "%s:1:1: empty document", name);
	if (err)
		json_doc_release(doc);
	return err;
}
