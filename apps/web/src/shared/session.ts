/**
 * The credential of the signed-in tab. sessionStorage, not localStorage: it ends with the
 * tab and is not shared with other tabs.
 */
export function sessionStore(name: string) {
  return {
    get: (): string | null => sessionStorage.getItem(name),
    set: (token: string) => sessionStorage.setItem(name, token),
    clear: () => sessionStorage.removeItem(name),
  };
}
