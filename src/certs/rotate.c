#include "certs/certs.h"
#include "util/banned.h"
