#ifndef HOOKSTASH_CCURL_SHIM_H
#define HOOKSTASH_CCURL_SHIM_H

#include <curl/curl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

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

typedef curl_socket_t (*hookstash_curl_opensocket_callback)(void *context, curlsocktype purpose,
                                                              struct curl_sockaddr *address);
typedef int (*hookstash_curl_prereq_callback)(void *context, char *primary_ip, char *local_ip, int primary_port,
                                              int local_port);

static inline CURLcode hookstash_curl_setopt_opensocket_callback(CURL *handle,
                                                                 hookstash_curl_opensocket_callback value) {
    return curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, value);
}

static inline CURLcode hookstash_curl_setopt_prereq_callback(CURL *handle, hookstash_curl_prereq_callback value) {
    return curl_easy_setopt(handle, CURLOPT_PREREQFUNCTION, value);
}

/// The IP address curl is about to connect to, copied to `out` (16 bytes): returns 4 or 16, 0 for another family.
static inline int hookstash_curl_sockaddr_ip(const struct curl_sockaddr *address, unsigned char *out) {
    if (address->family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&address->addr;
        memcpy(out, &in->sin_addr, 4);
        return 4;
    }
    if (address->family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&address->addr;
        memcpy(out, &in6->sin6_addr, 16);
        return 16;
    }
    return 0;
}

/// The socket curl would open itself for `address` (close-on-exec); CURL_SOCKET_BAD on failure.
static inline curl_socket_t hookstash_curl_open_socket(const struct curl_sockaddr *address) {
    return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
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

static inline CURLMcode hookstash_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// The result code of a finished transfer (`CURLMSG_DONE`): the union member Swift reaches awkwardly.
static inline CURLcode hookstash_curl_msg_result(const CURLMsg *message) { return message->data.result; }

#endif
