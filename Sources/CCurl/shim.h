#ifndef HOOKSTASH_CCURL_SHIM_H
#define HOOKSTASH_CCURL_SHIM_H

#include <curl/curl.h>

// Typed, non-variadic wrappers: Swift cannot call the variadic curl_easy_setopt / curl_easy_getinfo.
// One wrapper per argument type; no logic lives here.

typedef size_t (*hookstash_curl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*hookstash_curl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size,
                                             void *context);

static inline CURLcode hookstash_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_ALL); }

static inline CURLcode hookstash_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hookstash_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hookstash_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hookstash_curl_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hookstash_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hookstash_curl_setopt_data_callback(CURL *handle, CURLoption option,
                                                           hookstash_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hookstash_curl_setopt_debug_callback(CURL *handle, hookstash_curl_debug_callback value) {
    return curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, value);
}

static inline CURLcode hookstash_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode hookstash_curl_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode hookstash_curl_getinfo_string(CURL *handle, CURLINFO info, const char **value) {
    return curl_easy_getinfo(handle, info, (char **)value);
}

#endif
