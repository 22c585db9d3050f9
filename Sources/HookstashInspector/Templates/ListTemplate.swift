/// `GET /`: the captures, newest first, with filters; new rows arrive live from /api/events.
enum ListTemplate {
    static let source = #"""
        <form method="get" action="/" class="filters">
        <label>Method <select name="method">{{#methods}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/methods}}</select></label>
        <label>Path prefix <input name="path" value="{{filterPath}}" placeholder="/webhooks"></label>
        <label>Signature <select name="signature">{{#signatures}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/signatures}}</select></label>
        <label>Search <input type="search" name="q" value="{{filterText}}" placeholder="text in headers or body"></label>
        <button type="submit">Filter</button>{{#filtered}} <a href="/">Clear</a>{{/filtered}}
        </form>
        <p class="status"><span id="live-status" class="muted">{{#live}}live: new captures appear at the top{{/live}}{{^live}}older captures (not live){{/live}}</span></p>
        <table class="captures">
        <thead><tr><th>#</th><th>Received (UTC)</th><th>Method</th><th>Target</th><th>Size</th><th>Signature</th><th>Last delivery</th></tr></thead>
        <tbody id="captures" data-live="{{live}}" data-after="{{after}}" data-method="{{filterMethod}}" data-path="{{filterPath}}" data-signature="{{filterSignature}}" data-search="{{filterText}}">
        {{#rows}}
        <tr data-id="{{rowID}}"><td><a href="/captures/{{rowID}}">{{rowID}}</a></td><td><time datetime="{{rowReceivedAt}}">{{rowTime}}</time></td><td class="method">{{rowMethod}}</td><td class="target"><a href="/captures/{{rowID}}">{{rowTarget}}</a></td><td class="size">{{rowSize}}</td><td><span class="badge sig-{{rowSignature}}">{{rowSignature}}</span></td><td>{{rowDelivery}}</td></tr>
        {{/rows}}
        </tbody>
        </table>
        {{^hasRows}}<p id="empty" class="empty">No captures{{#filtered}} match these filters{{/filtered}}. Send a request to the capture listener and it appears here.</p>{{/hasRows}}
        <nav class="pager">{{#hasNext}}<a href="/?{{nextQuery}}" rel="next">Older captures →</a>{{/hasNext}}</nav>
        """#
}
