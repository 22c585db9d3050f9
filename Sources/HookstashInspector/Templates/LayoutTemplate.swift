/// The page frame. `content` is HTML already rendered (and escaped) by a page template; everything else is
/// escaped here. No inline script or style anywhere: the CSP allows the stylesheet from /static and one script, the
/// one carrying this page's nonce.
enum LayoutTemplate {
    static let source = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="csrf-token" content="{{csrf}}">
        <title>{{title}}</title>
        <link rel="stylesheet" href="/static/inspector.css">
        <script src="/static/inspector.js" nonce="{{nonce}}" defer></script>
        </head>
        <body data-page="{{page}}">
        <header class="top"><a class="brand" href="/">hookstash</a> <span class="muted">inspector</span> <span class="store muted" title="store">{{storePath}}</span></header>
        <main>
        {{{content}}}
        </main>
        </body>
        </html>
        """#
}

/// A page that says what went wrong and links back.
enum ErrorTemplate {
    static let source = #"""
        <h1>{{heading}}</h1>
        <p class="problem">{{message}}</p>
        <p><a href="{{back}}">Back</a></p>
        """#
}
