/// `GET /captures/{id}`: one capture, every part of it escaped.
enum DetailTemplate {
    static let source = #"""
        <nav class="crumbs"><a href="/">← all captures</a></nav>
        <h1 id="request-title"><span class="method">{{method}}</span> <span class="target">{{target}}</span></h1>
        <p class="meta">#{{id}} · <time datetime="{{receivedAt}}">{{time}}</time> · from {{remoteAddress}} · answered {{responseStatus}}{{#answeredBy}} <span class="answered-by">by {{answeredBy}}{{#rule}} <q class="rule">{{rule}}</q>{{/rule}}</span>{{/answeredBy}} · {{size}}{{#malformed}} · <span class="badge sig-invalid">malformed</span>{{/malformed}}</p>
        {{#problem}}<p class="problem" data-code="{{problemCode}}">{{problem}}</p>{{/problem}}
        <div class="actions">
        <a class="button" href="/api/captures/{{id}}/har" download>Download HAR</a>
        <a class="button" href="/api/captures/{{id}}/raw" download>Raw message</a>
        <a class="button" href="/api/captures/{{id}}/body" download>Body</a>
        <a class="button" href="/api/captures/{{id}}">JSON</a>
        <form method="get" action="/captures/{{id}}/compare" class="inline compare-form"><label>Compare with # <input type="number" name="with" min="1" required size="6"></label> <button type="submit">Compare</button></form>
        <form method="post" action="/captures/{{id}}/delete" class="inline" data-confirm="Delete this capture?"><input type="hidden" name="csrf_token" value="{{csrf}}"><button type="submit" class="danger">Delete</button></form>
        </div>

        <section id="request-line"><h2>Request line</h2><pre class="code">{{requestLine}}</pre></section>

        <section id="headers"><h2>Headers <span class="muted">{{headerCount}}, in received order</span></h2>
        <table class="headers"><tbody>
        {{#headers}}<tr><th>{{name}}</th><td>{{value}}</td></tr>
        {{/headers}}
        </tbody></table></section>

        <section id="body"><h2>Body <span class="muted">{{bodyKind}} · {{size}}</span></h2>
        {{#bodyPartial}}<p class="notice">Showing the first {{bodyShown}} of {{size}}. <a href="/api/captures/{{id}}/body" download>Download the whole body</a>.</p>{{/bodyPartial}}
        {{#hasBody}}<pre class="code body-{{bodyKind}}" id="body-text">{{body}}</pre>{{/hasBody}}
        {{^hasBody}}<p class="muted">No body.</p>{{/hasBody}}
        </section>

        <section id="signature"><h2>Signature</h2>
        {{#signature}}
        <p><span class="badge sig-{{status}}">{{status}}</span> scheme <code>{{scheme}}</code>{{#header}}, header <code>{{header}}</code>{{/header}}{{#matchedSecret}}, matched secret #{{matchedSecret}}{{/matchedSecret}}</p>
        <table class="headers"><tbody>
        <tr><th>Received</th><td><code>{{received}}</code></td></tr>
        <tr><th>Expected</th><td><code>{{expected}}</code></td></tr>
        </tbody></table>
        {{#hasDiagnosis}}<h3>Diagnosis</h3><ul class="diagnosis">{{#diagnosis}}<li data-code="{{code}}">{{message}}</li>{{/diagnosis}}</ul>{{/hasDiagnosis}}
        {{#hasWarnings}}<h3>Warnings</h3><ul class="warnings">{{#warnings}}<li data-code="{{code}}">{{message}}</li>{{/warnings}}</ul>{{/hasWarnings}}
        {{/signature}}
        {{^signature}}<p class="muted">Not checked: no signature scheme applied to this capture.</p>{{/signature}}
        </section>

        <section id="deliveries"><h2>Deliveries <span class="muted">{{deliveryCount}}</span></h2>
        {{#hasDeliveries}}
        <table class="deliveries"><thead><tr><th>#</th><th>At (UTC)</th><th>To</th><th>Status</th><th>Time</th><th>Re-signed</th><th>Error</th></tr></thead><tbody>
        {{#deliveries}}<tr><td>{{deliveryID}}</td><td>{{deliveryAt}}</td><td class="target">{{deliveryTo}}</td><td>{{deliveryStatus}}</td><td>{{deliveryDuration}}</td><td>{{deliveryResigned}}</td><td>{{deliveryError}}</td></tr>
        {{#hasDetail}}<tr class="detail"><td></td><td colspan="6">
        {{#hasChanges}}<p class="muted">Sent differently from the capture:</p><ul class="changes">{{#changes}}<li>{{.}}</li>{{/changes}}</ul>{{/hasChanges}}
        {{#hasResponseLine}}<p>Response <code>{{responseLine}}</code>{{#hasTimings}} · {{timings}}{{/hasTimings}}</p>{{/hasResponseLine}}
        <details><summary>Request as sent, response and timings</summary><pre class="code">{{detail}}</pre></details></td></tr>{{/hasDetail}}
        {{/deliveries}}
        </tbody></table>
        {{/hasDeliveries}}
        {{^hasDeliveries}}<p class="muted">Not delivered anywhere yet.</p>{{/hasDeliveries}}
        </section>

        <section id="replay"><h2>Replay</h2>
        {{#replayAvailable}}<form method="post" action="/captures/{{id}}/replay" class="replay-form">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <label>Target URL <input type="url" name="to" required placeholder="http://localhost:3000/webhooks" value="{{lastTarget}}"></label>
        <label class="check"><input type="checkbox" name="resign" value="on"> Re-sign with the configured secret</label>
        <button type="submit">Replay</button>
        </form>{{/replayAvailable}}
        {{^replayAvailable}}<p class="muted">Replay is not available in this inspector. From a shell: <code>hookstash replay {{id}} --to URL</code></p>{{/replayAvailable}}
        </section>

        <section id="curl"><h2>Copy as curl</h2>
        <p><button type="button" data-copy="curl-command">Copy</button> <a href="/api/captures/{{id}}/curl" download>Download as a script</a> (the script carries the body itself)</p>
        {{#curlUsesFile}}<p class="notice">The body is large: this command reads it from <a href="/api/captures/{{id}}/body" download>capture-{{id}}.body</a>, downloaded to the current directory.</p>{{/curlUsesFile}}
        <pre class="code" id="curl-command">{{curl}}</pre></section>

        <section id="raw"><h2>Raw message <span class="muted">as received</span></h2>
        {{#rawPartial}}<p class="notice">{{rawNote}} <a href="/api/captures/{{id}}/raw" download>Download the raw message</a>.</p>{{/rawPartial}}
        <pre class="code" id="raw-text">{{raw}}</pre></section>
        """#
}
