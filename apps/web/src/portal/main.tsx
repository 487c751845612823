import { render } from 'preact';
import '../shared/styles.css';
import { initTheme } from '../shared/theme.js';
import { App, takeTokenFromFragment } from './app.js';

takeTokenFromFragment();
initTheme();
render(<App />, document.getElementById('app')!);
