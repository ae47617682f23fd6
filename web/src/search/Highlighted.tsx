/** Text with the server's [start, end) highlight ranges marked. */
export function Highlighted({ text, highlights }: { text: string; highlights: Array<[number, number]> }) {
  const parts: React.ReactNode[] = [];
  let at = 0;
  highlights.forEach(([a, b], i) => {
    if (a > at) parts.push(text.slice(at, a));
    parts.push(<mark key={i}>{text.slice(a, b)}</mark>);
    at = b;
  });
  parts.push(text.slice(at));
  return <>{parts}</>;
}
