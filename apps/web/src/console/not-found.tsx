import { useConsoleTitle } from './session.js';

export function NotFound() {
  useConsoleTitle('Not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no console page at this address. <a href="/console">Go to the overview</a>.
      </p>
    </>
  );
}
