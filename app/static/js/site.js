/*
 * Content Partnerships Helpdesk – small enhancements of every page. Everything works
 * without this file; it only saves steps:
 *  - the language selector changes the language as soon as a language is picked
 *    (the "Change language" button stays, for keyboards and for pages without scripts);
 *  - the menu (a <details> element) closes with Escape on narrow screens, and stays
 *    open on wide screens in browsers that cannot style ::details-content;
 *  - a table too wide for the screen can be scrolled with the keyboard: its scrolling
 *    box takes the focus, named after the table's caption.
 */
( function () {
	'use strict';

	var WIDE = '(min-width: 640px) and (min-height: 480px)';

	/*
	 * Submit the language form when a language is picked with the pointer, or with
	 * Enter. Arrow keys on a closed <select> change its value one step at a time, so a
	 * change right after one of them does not submit (WCAG 3.2.2, On Input).
	 */
	function languageForm( form ) {
		var select = form.querySelector( 'select' );
		var browsing = false;
		if ( !select ) {
			return;
		}
		select.addEventListener( 'keydown', function ( event ) {
			if ( event.key === 'Enter' ) {
				event.preventDefault();
				form.requestSubmit ? form.requestSubmit() : form.submit();
				return;
			}
			browsing = /^(Arrow|Page|Home|End)/.test( event.key ) || event.key.length === 1;
		} );
		select.addEventListener( 'pointerdown', function () {
			browsing = false;
		} );
		select.addEventListener( 'change', function () {
			if ( !browsing ) {
				form.requestSubmit ? form.requestSubmit() : form.submit();
			}
			browsing = false;
		} );
	}

	function menu( details ) {
		var wide = window.matchMedia( WIDE );
		var styled = window.CSS && CSS.supports && CSS.supports( 'selector(::details-content)' );
		function follow() {
			// The stylesheet shows the menu of a closed <details> on wide screens; where
			// it cannot, open it instead.
			if ( !styled ) {
				details.open = wide.matches;
			}
		}
		follow();
		if ( wide.addEventListener ) {
			wide.addEventListener( 'change', follow );
		}
		details.addEventListener( 'keydown', function ( event ) {
			if ( event.key === 'Escape' && details.open && !wide.matches ) {
				details.open = false;
				details.querySelector( 'summary' ).focus();
			}
		} );
	}

	/* A scrolling box with nothing focusable in it cannot be scrolled with the keys
	 * unless it takes the focus itself (WCAG 2.1.1). */
	function scrollableTables() {
		document.querySelectorAll( '.table-wrapper' ).forEach( function ( wrapper ) {
			var caption = wrapper.querySelector( 'caption' );
			var scrolls = wrapper.scrollWidth > wrapper.clientWidth + 1 &&
				getComputedStyle( wrapper ).overflowX !== 'visible';
			if ( scrolls && !wrapper.hasAttribute( 'tabindex' ) ) {
				wrapper.setAttribute( 'tabindex', '0' );
				wrapper.setAttribute( 'role', 'region' );
				if ( caption ) {
					wrapper.setAttribute( 'aria-label', caption.textContent.trim() );
				}
			} else if ( !scrolls && wrapper.getAttribute( 'role' ) === 'region' ) {
				wrapper.removeAttribute( 'tabindex' );
				wrapper.removeAttribute( 'role' );
				wrapper.removeAttribute( 'aria-label' );
			}
		} );
	}

	function init() {
		var form = document.querySelector( 'form.lang-select' );
		var details = document.querySelector( 'details.site-menu' );
		if ( form ) {
			languageForm( form );
		}
		if ( details ) {
			menu( details );
		}
		scrollableTables();
		window.addEventListener( 'resize', scrollableTables );
		document.addEventListener( 'toggle', scrollableTables, true );
	}

	if ( document.readyState === 'loading' ) {
		document.addEventListener( 'DOMContentLoaded', init );
	} else {
		init();
	}
}() );
