#ifndef HOOKSTASH_CCURL_SHIM_H
#define HOOKSTASH_CCURL_SHIM_H

#include <curl/curl.h>

#endif
