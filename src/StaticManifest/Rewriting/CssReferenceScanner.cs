using System.Buffers;
using System.Text;

namespace Wharf.StaticManifest.Rewriting;

/// <summary>
/// Finds the asset references in a CSS text with a tokenizer that follows CSS Syntax Level 3: <c>url()</c> (unquoted or
/// quoted, escapes and whitespace included, <c>url</c> case-insensitive), <c>src("x")</c>, <c>@import "x"</c>, the string
/// arguments of <c>image-set()</c>, and <c>/*# sourceMappingURL=x */</c>.
/// </summary>
/// <remarks>
/// Nothing in a comment (except the source-map directive) or in a string that is not in one of those positions is a
/// reference, so <c>content: "url(x.png)"</c> and <c>/* url(old.png) */</c> are left alone. A bad URL
/// (<c>url(a b)</c>, <c>url(a"b)</c>), a string broken by a newline, and a string, <c>url(</c> or comment cut off by the end
/// of the text give no reference; neither does an empty URL. One linear pass, no regular expressions.
/// </remarks>
public static class CssReferenceScanner
{
    /// <summary>Finds the asset references in <paramref name="css"/>, in the order they appear.</summary>
    /// <param name="css">The style sheet's text.</param>
    /// <returns>The references, with their spans, decoded URLs, lines and columns.</returns>
    public static IReadOnlyList<AssetReference> Scan(string css)
    {
        ArgumentNullException.ThrowIfNull(css);
        var scanner = new Scanner(css);
        scanner.Run();
        return TextPositions.Complete(css, scanner.References, css: true);
    }

    /// <summary>Decodes CSS escapes (and the NUL → U+FFFD preprocessing) in <c>text[start..end]</c>.</summary>
    internal static string Decode(string text, int start, int end)
    {
        ReadOnlySpan<char> raw = text.AsSpan(start, end - start);
        if (raw.IndexOfAny('\\', '\0') < 0)
        {
            return raw.ToString();
        }

        var builder = new StringBuilder(raw.Length);
        int i = start;
        while (i < end)
        {
            char c = text[i];
            if (c == '\0')
            {
                builder.Append('\uFFFD');
                i++;
                continue;
            }

            if (c != '\\')
            {
                builder.Append(c);
                i++;
                continue;
            }

            i++;
            if (i >= end)
            {
                builder.Append('\uFFFD');
                break;
            }

            c = text[i];
            if (IsNewline(c))
            {
                // An escaped newline in a string is a line continuation: nothing.
                i += c == '\r' && i + 1 < end && text[i + 1] == '\n' ? 2 : 1;
            }
            else if (char.IsAsciiHexDigit(c))
            {
                int value = 0;
                int digits = 0;
                while (i < end && digits < 6 && char.IsAsciiHexDigit(text[i]))
                {
                    value = (value * 16) + HexValue(text[i]);
                    i++;
                    digits++;
                }

                if (i < end && IsWhitespace(text[i]))
                {
                    i += text[i] == '\r' && i + 1 < end && text[i + 1] == '\n' ? 2 : 1;
                }

                AppendCodePoint(builder, value);
            }
            else
            {
                builder.Append(c == '\0' ? '\uFFFD' : c);
                i++;
            }
        }

        return builder.ToString();
    }

    internal static void AppendCodePoint(StringBuilder builder, int value)
    {
        if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        {
            builder.Append('\uFFFD');
        }
        else if (value < 0x10000)
        {
            builder.Append((char)value);
        }
        else
        {
            value -= 0x10000;
            builder.Append((char)(0xD800 + (value >> 10))).Append((char)(0xDC00 + (value & 0x3FF)));
        }
    }

    internal static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool IsNewline(char c) => c is '\n' or '\r' or '\f';

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';

    private static bool IsIdentStart(char c) => char.IsAsciiLetter(c) || c == '_' || c >= 0x80 || c == '\0';

    private static bool IsIdentChar(char c) => IsIdentStart(c) || char.IsAsciiDigit(c) || c == '-';

    private static bool IsNonPrintable(char c) => (c <= '\u0008' && c != '\0') || c == '\u000B' || (c >= '\u000E' && c <= '\u001F') || c == '\u007F';

    /// <summary>What the next significant token may be.</summary>
    private enum Pending : byte
    {
        None,
        ImportString,
        FunctionString,
    }

    /// <summary>An open block on the stack.</summary>
    private enum Block : byte
    {
        Paren,
        ImageSet,
        Bracket,
        Brace,
    }

    private sealed class Scanner(string text)
    {
        private static readonly SearchValues<char> s_doubleQuoteStops = SearchValues.Create("\"\\\n\r\f");
        private static readonly SearchValues<char> s_singleQuoteStops = SearchValues.Create("'\\\n\r\f");
        private static readonly SearchValues<char> s_whitespace = SearchValues.Create(" \t\n\r\f");
        private static readonly SearchValues<char> s_asciiIdentChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

        private readonly string _s = text;
        private readonly int _length = text.Length;
        private int _pos;
        private Pending _pending;
        private Block[] _blocks = new Block[16];
        private int _depth;

        public List<AssetReference> References { get; } = [];

        public void Run()
        {
            string s = _s;
            while (_pos < _length)
            {
                char c = s[_pos];
                switch (c)
                {
                    case ' ' or '\t' or '\n' or '\r' or '\f':
                        int run = s.AsSpan(_pos + 1).IndexOfAnyExcept(s_whitespace);
                        _pos = run < 0 ? _length : _pos + 1 + run;
                        continue; // whitespace keeps what is pending
                    case '/' when At(_pos + 1) == '*':
                        ConsumeComment();
                        continue; // so do comments
                    case '"' or '\'':
                        ConsumeString(c);
                        continue;
                    case '(':
                        Push(Block.Paren);
                        _pos++;
                        break;
                    case '[':
                        Push(Block.Bracket);
                        _pos++;
                        break;
                    case '{':
                        Push(Block.Brace);
                        _pos++;
                        break;
                    case ')':
                        Pop(Block.Paren);
                        _pos++;
                        break;
                    case ']':
                        Pop(Block.Bracket);
                        _pos++;
                        break;
                    case '}':
                        Pop(Block.Brace);
                        _pos++;
                        break;
                    case '#':
                        _pos++;
                        if (_pos < _length && (IsIdentChar(s[_pos]) || IsValidEscape(_pos)))
                        {
                            ConsumeIdentSequence();
                        }

                        break;
                    case '+' or '.':
                        if (StartsNumber(_pos))
                        {
                            ConsumeNumeric();
                        }
                        else
                        {
                            _pos++;
                        }

                        break;
                    case '-':
                        if (StartsNumber(_pos))
                        {
                            ConsumeNumeric();
                        }
                        else if (At(_pos + 1) == '-' && At(_pos + 2) == '>')
                        {
                            _pos += 3; // CDC
                        }
                        else if (StartsIdent(_pos))
                        {
                            ConsumeIdentLike();
                            continue;
                        }
                        else
                        {
                            _pos++;
                        }

                        break;
                    case '<' when At(_pos + 1) == '!' && At(_pos + 2) == '-' && At(_pos + 3) == '-':
                        _pos += 4; // CDO
                        break;
                    case '@':
                        _pos++;
                        if (StartsIdent(_pos))
                        {
                            int nameStart = _pos;
                            bool escaped = ConsumeIdentSequence();
                            _pending = NameIs(nameStart, _pos, escaped, "import") ? Pending.ImportString : Pending.None;
                            continue;
                        }

                        break;
                    case '\\':
                        if (IsValidEscape(_pos))
                        {
                            ConsumeIdentLike();
                            continue;
                        }

                        _pos++;
                        break;
                    default:
                        if (char.IsAsciiDigit(c))
                        {
                            ConsumeNumeric();
                        }
                        else if (IsIdentStart(c))
                        {
                            ConsumeIdentLike();
                            continue;
                        }
                        else
                        {
                            _pos++;
                        }

                        break;
                }

                _pending = Pending.None;
            }
        }

        private char At(int index) => index < _length ? _s[index] : '\uFFFF';

        private void Push(Block block)
        {
            if (_depth == _blocks.Length)
            {
                Array.Resize(ref _blocks, _blocks.Length * 2);
            }

            _blocks[_depth++] = block;
        }

        private void Pop(Block closer)
        {
            // A closer that does not match the innermost block is an ordinary token (CSS Syntax §5.4.8).
            if (_depth > 0 && (_blocks[_depth - 1] == closer || (closer == Block.Paren && _blocks[_depth - 1] == Block.ImageSet)))
            {
                _depth--;
            }
        }

        /// <summary>Whether a backslash at <paramref name="index"/> starts an escape (it is not followed by a newline).</summary>
        private bool IsValidEscape(int index) => index < _length && _s[index] == '\\' && (index + 1 >= _length || !IsNewline(_s[index + 1]));

        private bool StartsIdent(int index)
        {
            if (index >= _length)
            {
                return false;
            }

            char c = _s[index];
            if (c == '-')
            {
                return index + 1 < _length && (IsIdentStart(_s[index + 1]) || _s[index + 1] == '-' || IsValidEscape(index + 1));
            }

            return IsIdentStart(c) || IsValidEscape(index);
        }

        private bool StartsNumber(int index)
        {
            char c = At(index);
            if (c is '+' or '-')
            {
                c = At(++index);
            }

            return char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(At(index + 1)));
        }

        /// <summary>Skips an escape; <paramref name="index"/> is just after the backslash. Returns the index after it.</summary>
        private int SkipEscape(int index)
        {
            if (index >= _length)
            {
                return index;
            }

            if (!char.IsAsciiHexDigit(_s[index]))
            {
                return index + 1;
            }

            int end = Math.Min(_length, index + 6);
            while (index < end && char.IsAsciiHexDigit(_s[index]))
            {
                index++;
            }

            if (index < _length && IsWhitespace(_s[index]))
            {
                index += _s[index] == '\r' && At(index + 1) == '\n' ? 2 : 1;
            }

            return index;
        }

        /// <summary>Consumes an ident sequence at the position; returns whether it contained an escape.</summary>
        private bool ConsumeIdentSequence()
        {
            bool escaped = false;
            while (_pos < _length)
            {
                int run = _s.AsSpan(_pos).IndexOfAnyExcept(s_asciiIdentChars);
                if (run < 0)
                {
                    _pos = _length;
                    break;
                }

                _pos += run;
                char c = _s[_pos];
                if (IsIdentChar(c))
                {
                    _pos++;
                }
                else if (c == '\\' && IsValidEscape(_pos))
                {
                    _pos = SkipEscape(_pos + 1);
                    escaped = true;
                }
                else
                {
                    break;
                }
            }

            return escaped;
        }

        private bool NameIs(int start, int end, bool escaped, string name) =>
            escaped
                ? Ascii.EqualsIgnoreCase(Decode(_s, start, end), name)
                : Ascii.EqualsIgnoreCase(_s.AsSpan(start, end - start), name);

        private void ConsumeNumeric()
        {
            if (_s[_pos] is '+' or '-')
            {
                _pos++;
            }

            SkipDigits();
            if (At(_pos) == '.' && char.IsAsciiDigit(At(_pos + 1)))
            {
                _pos++;
                SkipDigits();
            }

            if ((At(_pos) | 0x20) == 'e')
            {
                char next = At(_pos + 1);
                if (char.IsAsciiDigit(next) || (next is '+' or '-' && char.IsAsciiDigit(At(_pos + 2))))
                {
                    _pos += 2;
                    SkipDigits();
                }
            }

            if (StartsIdent(_pos))
            {
                ConsumeIdentSequence(); // a dimension: 5url( is not a URL
            }
            else if (At(_pos) == '%')
            {
                _pos++;
            }
        }

        private void SkipDigits()
        {
            while (_pos < _length && char.IsAsciiDigit(_s[_pos]))
            {
                _pos++;
            }
        }

        /// <summary>An ident, a function token, or a url token; sets what is pending itself.</summary>
        private void ConsumeIdentLike()
        {
            int nameStart = _pos;
            bool escaped = ConsumeIdentSequence();
            int nameEnd = _pos;
            _pending = Pending.None;
            if (At(_pos) != '(')
            {
                return;
            }

            _pos++;
            if (NameIs(nameStart, nameEnd, escaped, "url"))
            {
                // While the next two code points are whitespace, consume one (CSS Syntax §4.3.4).
                while (_pos + 1 < _length && IsWhitespace(_s[_pos]) && IsWhitespace(_s[_pos + 1]))
                {
                    _pos++;
                }

                char next = At(_pos);
                if (next is '"' or '\'' || (IsWhitespace(next) && At(_pos + 1) is '"' or '\''))
                {
                    Push(Block.Paren);
                    _pending = Pending.FunctionString;
                }
                else
                {
                    ConsumeUrlToken();
                }
            }
            else if (NameIs(nameStart, nameEnd, escaped, "src"))
            {
                Push(Block.Paren);
                _pending = Pending.FunctionString;
            }
            else if (NameIs(nameStart, nameEnd, escaped, "image-set") || NameIs(nameStart, nameEnd, escaped, "-webkit-image-set"))
            {
                Push(Block.ImageSet);
            }
            else
            {
                Push(Block.Paren);
            }
        }

        /// <summary>The rest of an unquoted url token, after <c>url(</c>.</summary>
        private void ConsumeUrlToken()
        {
            string s = _s;
            while (_pos < _length && IsWhitespace(s[_pos]))
            {
                _pos++;
            }

            int valueStart = _pos;
            bool escaped = false;
            while (_pos < _length)
            {
                char c = s[_pos];
                if (c == ')')
                {
                    AddUrl(valueStart, _pos, escaped);
                    _pos++;
                    return;
                }

                if (IsWhitespace(c))
                {
                    int valueEnd = _pos;
                    while (_pos < _length && IsWhitespace(s[_pos]))
                    {
                        _pos++;
                    }

                    if (_pos < _length && s[_pos] == ')')
                    {
                        AddUrl(valueStart, valueEnd, escaped);
                        _pos++;
                        return;
                    }

                    if (_pos >= _length)
                    {
                        return; // cut off by the end of the text: no reference
                    }

                    ConsumeBadUrlRemnants();
                    return;
                }

                if (c is '"' or '\'' or '(' || IsNonPrintable(c))
                {
                    ConsumeBadUrlRemnants();
                    return;
                }

                if (c == '\\')
                {
                    if (!IsValidEscape(_pos))
                    {
                        ConsumeBadUrlRemnants();
                        return;
                    }

                    _pos = SkipEscape(_pos + 1);
                    escaped = true;
                    continue;
                }

                _pos++;
            }

            // End of the text before ")": a parse error, and no reference.
        }

        private void ConsumeBadUrlRemnants()
        {
            while (_pos < _length)
            {
                char c = _s[_pos];
                if (c == ')')
                {
                    _pos++;
                    return;
                }

                _pos = c == '\\' && IsValidEscape(_pos) ? SkipEscape(_pos + 1) : _pos + 1;
            }
        }

        private void AddUrl(int start, int end, bool escaped)
        {
            if (end > start)
            {
                string url = escaped || _s.AsSpan(start, end - start).Contains('\0') ? Decode(_s, start, end) : _s.Substring(start, end - start);
                References.Add(new AssetReference(AssetReferenceKind.CssUrl, start, end - start, url, '\0', 0, 0));
            }
        }

        private void ConsumeString(char quote)
        {
            string s = _s;
            int contentStart = _pos + 1;
            int p = contentStart;
            SearchValues<char> stops = quote == '"' ? s_doubleQuoteStops : s_singleQuoteStops;
            while (true)
            {
                int next = p < _length ? s.AsSpan(p).IndexOfAny(stops) : -1;
                if (next < 0)
                {
                    _pos = _length; // cut off by the end of the text: no reference
                    _pending = Pending.None;
                    return;
                }

                p += next;
                char c = s[p];
                if (c == quote)
                {
                    _pos = p + 1;
                    break;
                }

                if (c != '\\')
                {
                    _pos = p; // a newline: a bad string, which leaves the newline
                    _pending = Pending.None;
                    return;
                }

                p++;
                if (p < _length && IsNewline(s[p]))
                {
                    p += s[p] == '\r' && At(p + 1) == '\n' ? 2 : 1;
                }
                else
                {
                    p = SkipEscape(p);
                }
            }

            AssetReferenceKind? kind = _pending switch
            {
                Pending.ImportString => AssetReferenceKind.CssImportString,
                Pending.FunctionString => AssetReferenceKind.CssUrl,
                _ => _depth > 0 && _blocks[_depth - 1] == Block.ImageSet ? AssetReferenceKind.CssImageSetString : null,
            };
            _pending = Pending.None;
            int contentEnd = _pos - 1;
            if (kind is { } k && contentEnd > contentStart)
            {
                string url = Decode(s, contentStart, contentEnd);
                if (url.Length > 0)
                {
                    References.Add(new AssetReference(k, contentStart, contentEnd - contentStart, url, quote, 0, 0));
                }
            }
        }

        private void ConsumeComment()
        {
            int bodyStart = _pos + 2;
            int close = bodyStart < _length ? _s.AsSpan(bodyStart).IndexOf("*/", StringComparison.Ordinal) : -1;
            if (close < 0)
            {
                _pos = _length; // an unterminated comment runs to the end; no source-map reference from it
                return;
            }

            int bodyEnd = bodyStart + close;
            _pos = bodyEnd + 2;
            if (SourceMapComment.TryFind(_s, bodyStart, bodyEnd, lineComment: false, out int urlStart, out int urlEnd))
            {
                References.Add(new AssetReference(AssetReferenceKind.CssSourceMappingUrl, urlStart, urlEnd - urlStart,
                    _s.Substring(urlStart, urlEnd - urlStart), '\0', 0, 0));
            }
        }
    }
}

/// <summary>Recognises <c>#␠sourceMappingURL=url</c> (or <c>@␠…</c>) at the start of a comment's body.</summary>
internal static class SourceMapComment
{
    private const string Directive = "sourceMappingURL=";

    /// <summary>Finds the URL of a source-map directive in the comment body <c>text[start..end]</c>.</summary>
    public static bool TryFind(string text, int start, int end, bool lineComment, out int urlStart, out int urlEnd)
    {
        urlStart = urlEnd = 0;
        int p = start;
        if (p >= end || text[p] is not ('#' or '@'))
        {
            return false;
        }

        p++;
        int spaces = p;
        while (p < end && text[p] is ' ' or '\t')
        {
            p++;
        }

        if (p == spaces || end - p < Directive.Length || !text.AsSpan(p, Directive.Length).SequenceEqual(Directive))
        {
            return false;
        }

        p += Directive.Length;
        urlStart = p;
        while (p < end && !IsSpace(text[p], lineComment))
        {
            p++;
        }

        urlEnd = p;
        return urlEnd > urlStart;
    }

    private static bool IsSpace(char c, bool js) =>
        c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v' || (js && (c is '\u00A0' or '\uFEFF' || char.IsWhiteSpace(c)));
}
