-- wrk script: POST a 1 KiB JSON body with a Front signature header, as a Front rule webhook would.
local filler = string.rep("x", 1024 - 96)
wrk.method = "POST"
wrk.body = '{"type":"inbound","id":"evt_1","conversation":{"id":"cnv_1"},"padding":"' .. filler .. '"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Front-Signature"] = "pFyWLGGsGt08sAcL0Nt2hgpWLt4="
