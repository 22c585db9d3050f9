/// `GET /captures/{id}/compare?with={other}`: what differs between two captures (`MessageDiff`), every value escaped.
enum CompareTemplate {
    static let source = #"""
        <nav class="crumbs"><a href="/">← all captures</a> · <a href="/captures/{{old}}">#{{old}}</a> · <a href="/captures/{{new}}">#{{new}}</a></nav>
        <h1 id="compare-title">Capture #{{old}} → #{{new}}</h1>
        {{#identical}}<p class="notice" id="identical">The two requests are identical: request line, headers and body.</p>{{/identical}}
        {{#hasStartLine}}<section id="start-line-changes"><h2>Request line</h2>
        <table class="headers"><tbody>
        {{#startLine}}<tr><th>{{field}}</th><td class="old">{{old}}</td><td class="new">{{new}}</td></tr>
        {{/startLine}}
        </tbody></table></section>{{/hasStartLine}}
        {{#hasHeaders}}<section id="header-changes"><h2>Headers</h2>
        <table class="headers"><thead><tr><th>Change</th><th>Name</th><th>#{{old}}</th><th>#{{new}}</th></tr></thead><tbody>
        {{#headers}}<tr data-kind="{{kind}}"><td>{{kind}}</td><th>{{name}}</th><td class="old">{{oldText}}</td><td class="new">{{newText}}</td></tr>
        {{/headers}}
        </tbody></table></section>{{/hasHeaders}}
        <section id="body-changes"><h2>Body <span class="muted" id="body-kind">{{bodyKind}}</span></h2>
        {{#bodyIdentical}}<p class="muted">Identical.</p>{{/bodyIdentical}}
        {{#hasJSON}}<table class="headers" id="json-changes"><thead><tr><th>Change</th><th>Pointer</th><th>#{{old}}</th><th>#{{new}}</th></tr></thead><tbody>
        {{#json}}<tr data-kind="{{kind}}"><td>{{kind}}</td><th><code>{{pointer}}</code></th><td class="old"><code>{{oldValue}}</code></td><td class="new"><code>{{newValue}}</code></td></tr>
        {{/json}}
        </tbody></table>{{#jsonTruncated}}<p class="notice">More changes than shown.</p>{{/jsonTruncated}}{{/hasJSON}}
        {{#hasLines}}{{#hunks}}<pre class="code diff">@@ line {{oldStart}} → line {{newStart}} @@
        {{#lines}}<span class="line-{{kind}}">{{mark}}{{text}}</span>
        {{/lines}}</pre>{{/hunks}}{{/hasLines}}
        {{#hasBytes}}<p id="first-difference">First difference at byte {{offset}} (sizes {{oldSize}} and {{newSize}}).</p>
        <table class="headers"><tbody>
        <tr><th>Before</th><td><code>…{{before}}</code></td></tr>
        <tr><th>#{{old}}</th><td class="old"><code>{{oldAfter}}…</code></td></tr>
        <tr><th>#{{new}}</th><td class="new"><code>{{newAfter}}…</code></td></tr>
        </tbody></table>{{/hasBytes}}
        </section>
        <p><a class="button" href="/api/captures/{{old}}/diff/{{new}}">JSON</a></p>
        """#
}
