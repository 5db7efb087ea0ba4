/** Unix seconds as local `YYYY-MM-DD HH:MM:SS`, or `-` for 0 (never). */
export function formatTime(secs: unknown): string {
  if (typeof secs !== 'number' || secs <= 0) return '-';
  const d = new Date(secs * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
