import { Component, type ReactNode } from 'react';

/**
 * Catches a failure while rendering anything below and shows `fallback` instead of a blank page.
 * (React reports the error itself; error boundaries have to be class components.)
 */
export class ErrorBoundary extends Component<
  { readonly children: ReactNode; readonly fallback: ReactNode },
  { readonly failed: boolean }
> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
