#ifndef WS_UTIL_DATADIR_H
#define WS_UTIL_DATADIR_H

/*
 * Where the bundled data lives (feeds/, rules/, trust/): the first of
 *   $WORMSIGN_DATA/<sub>
 *   <dir of the executable>/<sub>            (a build tree or a bundle)
 *   <dir of the executable>/../share/wormsign/<sub>   (an install)
 *   the compiled-in data directory/<sub>     (meson's datadir)
 *   the source tree's <sub>                  (running from build/)
 * that is a directory. Writes it to out and returns 0, or WS_ENOTFOUND
 * naming every place tried.
 */

#include <stddef.h>

int ws_data_dir(char *out, size_t n, const char *sub);

#endif
