/*
 * Replays fuzz inputs without libFuzzer (-Dfuzzing=replay): runs
 * LLVMFuzzerTestOneInput once over every file named on the command line and
 * every regular file in every directory named there (not recursively). A
 * crash or sanitizer report fails the test; otherwise it prints how many
 * inputs it ran and exits 0. Only unreadable arguments make it exit 1.
 */

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, alloc = 0, n;

	if (!fp) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (alloc - len < 65536) {
			alloc = alloc ? alloc * 2 : 65536;
			data = realloc(data, alloc);
			if (!data)
				abort();
		}
		n = fread(data + len, 1, alloc - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		fclose(fp);
		free(data);
		return -1;
	}
	fclose(fp);
	/* An exact-size copy, so that ASan sees reads past the end. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact)
			abort();
		memcpy(exact, data, len);
		free(data);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

static int
replay_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int err = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(dir) + strlen(de->d_name) + 2;
		char *path;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		path = malloc(n);
		if (!path)
			abort();
		snprintf(path, n, "%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(path))
				err = -1;
			else
				(*count)++;
		}
		free(path);
	}
	closedir(d);
	return err;
}

int
main(int argc, char **argv)
{
	size_t count = 0;
	int i, err = 0;

	for (i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
				strerror(errno));
			err = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count))
				err = 1;
		} else if (replay_file(argv[i])) {
			err = 1;
		} else {
			count++;
		}
	}
	printf("replayed %zu inputs\n", count);
	return err;
}
